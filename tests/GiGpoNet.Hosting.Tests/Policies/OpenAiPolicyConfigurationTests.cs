using GiGpoNet.Policies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Tests.Policies;

/// <summary><c>Training:Policy=openai</c> and its <c>Policies:openai</c> section, checked at start-up before any work.</summary>
public sealed class OpenAiPolicyConfigurationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddGiGpoNet(configuration).AddBuiltIns();
        return services.BuildServiceProvider();
    }

    private static string StartUpFailure(Dictionary<string, string?> settings)
    {
        using var provider = Build(settings);
        return Assert.Throws<GiGpoNetConfigurationException>(() => provider.ValidateGiGpoNetConfiguration())!.Message;
    }

    [Test]
    public void The_policy_is_registered_by_name_and_its_required_keys_are_named()
    {
        using (var provider = Build([]))
            Assert.That(provider.GetRequiredService<PolicyRegistry>().Names, Does.Contain("openai"));
        var message = StartUpFailure(new() { ["Training:Policy"] = "openai" });
        Assert.That(message, Does.Contain("Policies:openai:BaseAddress").And.Contain("Policies:openai:Model"));
    }

    [Test]
    public void An_unreachable_server_stops_the_run_at_start_up_in_one_line()
    {
        var message = StartUpFailure(new()
        {
            ["Training:Policy"] = "openai", ["Policies:openai:BaseAddress"] = "http://127.0.0.1:1/v1", ["Policies:openai:Model"] = "qwen",
            ["Policies:openai:Retries"] = "0", ["Policies:openai:TimeoutSeconds"] = "5",
        });
        Assert.That(message, Does.Contain("http://127.0.0.1:1/v1").And.Contain("could not be reached"));
        Assert.That(message.Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public void The_server_is_asked_by_an_asynchronous_start_up_check_after_the_options_validate_and_a_generic_host_runs_it_too()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Training:Policy"] = "openai", ["Policies:openai:BaseAddress"] = "http://127.0.0.1:1/v1", ["Policies:openai:Model"] = "qwen",
            ["Policies:openai:Retries"] = "0", ["Policies:openai:TimeoutSeconds"] = "5",
        };
        using (var provider = Build(settings))
        {
            Assert.DoesNotThrow(() => provider.GetRequiredService<IStartupValidator>().Validate(), "no validator reaches the network");
            var error = Assert.ThrowsAsync<GiGpoNetConfigurationException>(() => provider.ValidateGiGpoNetConfigurationAsync());
            Assert.That(error!.Message, Does.Contain("could not be reached"));
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddGiGpoNet(builder.Configuration).AddBuiltIns();
        using var host = builder.Build();
        var startFailure = Assert.ThrowsAsync<GiGpoNetConfigurationException>(() => host.StartAsync());
        Assert.That(startFailure!.Message, Is.EqualTo(StartUpFailure(settings)), "the same error as the CLI's, whichever way the host starts");
    }

    [Test]
    public void Settings_that_assume_the_rollout_engine_is_the_learner_are_refused()
    {
        var message = StartUpFailure(new()
        {
            ["Training:Policy"] = "openai", ["Policies:openai:BaseAddress"] = "http://127.0.0.1:1/v1", ["Policies:openai:Model"] = "qwen",
            ["Update:ReuseRolloutLogProbs"] = "true",
        });
        Assert.That(message, Does.Contain("Update:ReuseRolloutLogProbs").And.Contain("RolloutIsThreshold"));
    }

    [Test]
    public void The_section_is_only_checked_when_the_policy_is_chosen_and_unknown_keys_are_errors()
    {
        using (var provider = Build(new() { ["Policies:openai:BaseAddress"] = "http://127.0.0.1:1/v1" }))
            Assert.DoesNotThrow(() => provider.ValidateGiGpoNetConfiguration());
        var message = StartUpFailure(new() { ["Policies:openai:BaseAdress"] = "http://127.0.0.1:1/v1" });
        Assert.That(message, Does.Contain("BaseAdress"));
    }
}
