namespace GiGpoNet.Analyzers.Tests;

/// <summary>The list GGN002 reports from is exactly what an IL scan of the TorchSharp we build against finds.</summary>
public sealed class TemporaryScalarMemberListTests
{
    [Test]
    public void The_list_is_the_IL_scan_of_the_referenced_TorchSharp()
    {
        var scanned = TorchSharpScalarScan.Members(typeof(TorchSharp.torch).Assembly.Location);
        var listed = TemporaryScalarMemberAnalyzer.KnownMembers.ToHashSet();
        var regenerate = Environment.GetEnvironmentVariable("GIGPO_REGENERATE_SCALAR_MEMBERS");
        if (regenerate is { Length: > 0 })
            File.WriteAllLines(regenerate, ["# TorchSharp members that create a Scalar and never dispose it (tests/GiGpoNet.Analyzers.Tests/TorchSharpScalarScan.cs).",
                .. scanned]);
        Assert.Multiple(() =>
        {
            Assert.That(scanned.Except(listed), Is.Empty,
                "TorchSharp members the scan finds but src/Analyzers/TemporaryScalarMembers.txt lacks; regenerate it with " +
                "GIGPO_REGENERATE_SCALAR_MEMBERS=$PWD/src/Analyzers/TemporaryScalarMembers.txt dotnet test tests/GiGpoNet.Analyzers.Tests");
            Assert.That(listed.Except(scanned), Is.Empty, "listed members the scan no longer finds (regenerate the list as above)");
        });
    }

    [TestCase("torch.Tensor.op_Addition(Tensor,Tensor)")]
    [TestCase("torch.Tensor.add(Tensor)")]
    [TestCase("torch.Tensor.square()")]
    [TestCase("torch.Tensor.op_Multiply(Tensor,Double)")]
    [TestCase("torch.nn.functional.leaky_relu(Tensor,Double,Boolean)")]
    public void It_finds_the_known_sites_of_the_race(string member) =>
        Assert.That(TorchSharpScalarScan.Members(typeof(TorchSharp.torch).Assembly.Location), Does.Contain(member));

    [TestCase("torch.Tensor.op_Subtraction(Tensor,Tensor)")]
    [TestCase("torch.Tensor.mul(Tensor)")]
    [TestCase("torch.Tensor.add(Tensor,Scalar)")]
    [TestCase("torch.Tensor.pow(Scalar)")]
    public void It_leaves_members_that_create_no_Scalar(string member) =>
        Assert.That(TorchSharpScalarScan.Members(typeof(TorchSharp.torch).Assembly.Location), Does.Not.Contain(member));
}
