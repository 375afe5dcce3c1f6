using TorchSharp;

namespace GiGpoNet.Backend.Tests;

/// <summary>Fixes libtorch's thread count so results and timings do not depend on the runner.</summary>
[SetUpFixture]
public sealed class TorchSetup
{
    [OneTimeSetUp]
    public void Threads() => torch.set_num_threads(Math.Min(2, Environment.ProcessorCount));
}
