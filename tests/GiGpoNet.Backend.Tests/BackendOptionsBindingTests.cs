using System.Text.Json;
using GiGpoNet.Backend.Devices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Backend.Tests;

/// <summary><c>Backend:Dtype</c> is an enum bound when the configuration is read, not a string parsed when a model is built.</summary>
public sealed class BackendOptionsBindingTests
{
    private static BackendOptions Bound(string dtype)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Backend:Dtype"] = dtype }).Build();
        var services = new ServiceCollection();
        services.AddGiGpoNet(configuration).AddTorchSharpLearner();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<BackendOptions>>().Value;
    }

    [TestCase("float32", ModelDtype.Float32)]
    [TestCase("BFloat16", ModelDtype.Bfloat16)]
    [TestCase("bf16", ModelDtype.Bfloat16)]
    [TestCase("fp16", ModelDtype.Float16)]
    public void Pytorch_names_and_short_names_bind_in_any_case(string text, ModelDtype expected) => Assert.That(Bound(text).Dtype, Is.EqualTo(expected));

    [Test]
    public void An_unknown_dtype_is_refused_when_the_section_is_read_naming_the_key()
    {
        var error = Assert.Throws<GiGpoNetConfigurationException>(() => Bound("int4"));
        Assert.That(error!.Message, Does.StartWith("Backend:Dtype = 'int4' is not a valid ModelDtype"));
    }

    [Test]
    public void A_run_records_it_as_pytorch_names_it_so_that_earlier_configuration_files_read_the_same()
    {
        var json = JsonSerializer.Serialize(new BackendOptions { Dtype = ModelDtype.Bfloat16 });
        Assert.That(json, Does.Contain("\"Dtype\":\"bfloat16\""));
        Assert.That(JsonSerializer.Deserialize<BackendOptions>(json)!.Dtype, Is.EqualTo(ModelDtype.Bfloat16));
    }
}
