using GiGpoNet.Backend.Devices;
using TorchSharp;

namespace GiGpoNet.Backend.Tests;

/// <summary>Fixes libtorch's instruction set and thread count so results and timings do not depend on the runner.</summary>
[SetUpFixture]
public sealed class TorchSetup
{
    [OneTimeSetUp]
    public void Pin()
    {
        CpuNumerics.Pin(CpuCapability.Auto);
        torch.set_num_threads(Math.Min(2, Environment.ProcessorCount));
    }
}
