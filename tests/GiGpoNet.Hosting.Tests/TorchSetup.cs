using GiGpoNet.Backend.Devices;

namespace GiGpoNet.Hosting.Tests;

/// <summary>
/// Pins libtorch's instruction set before any test computes a tensor: the in-process runs share one libtorch, which reads the setting
/// at its first kernel, so the golden runs give the same figures whichever test runs first, on any processor with AVX2.
/// </summary>
[SetUpFixture]
public sealed class TorchSetup
{
    [OneTimeSetUp]
    public void Pin() => CpuNumerics.Pin(CpuCapability.Auto);
}
