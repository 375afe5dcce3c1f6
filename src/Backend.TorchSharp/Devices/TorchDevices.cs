using TorchSharp;

namespace GiGpoNet.Backend.Devices;

/// <summary>Turns the <c>Device</c> option (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, <c>auto</c>) into a TorchSharp device.</summary>
public static class TorchDevices
{
    /// <summary>The device named by <paramref name="name"/>.</summary>
    /// <exception cref="GiGpoNetConfigurationException">The name is not recognized, or CUDA is asked for where none is available.</exception>
    public static torch.Device Parse(string? name)
    {
        var text = (name ?? "auto").Trim().ToLowerInvariant();
        if (text is "" or "auto") return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        if (text == "cpu") return torch.CPU;
        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            var index = 0;
            if (text.Length > 4 && !int.TryParse(text.AsSpan(5), out index))
                throw new GiGpoNetConfigurationException($"Device = '{name}' is not valid: write cuda:N with a GPU number, for example cuda:0.");
            if (!torch.cuda.is_available())
                throw new GiGpoNetConfigurationException(
                    $"Device = '{name}' asks for a GPU, but this build runs libtorch for the CPU (or no CUDA device is visible). " +
                    "Build with -p:TorchBackend=cuda on a machine with an NVIDIA driver, or set Backend:Device to cpu or auto.");
            if (index >= torch.cuda.device_count())
                throw new GiGpoNetConfigurationException($"Device = '{name}': only {torch.cuda.device_count()} CUDA device(s) are visible.");
            return torch.device(DeviceType.CUDA, index);
        }
        throw new GiGpoNetConfigurationException($"Device = '{name}' is not one of cpu, cuda, cuda:N, auto.");
    }
}
