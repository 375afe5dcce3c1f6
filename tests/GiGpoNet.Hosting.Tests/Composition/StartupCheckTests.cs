using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Tests.Composition;

/// <summary>
/// What reaches outside the process at start-up is an <see cref="IStartupCheck"/>, run asynchronously after the options validate; no
/// validator or getter does I/O.
/// </summary>
public sealed class StartupCheckTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection>? more = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddGiGpoNet(configuration).AddBuiltIns();
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    private static readonly Dictionary<string, string?> Unreachable = new()
    {
        ["RemoteEnvironments:box:BaseAddress"] = "http://127.0.0.1:9", ["RemoteEnvironments:box:Environment"] = "sokoban",
        ["RemoteEnvironments:box:Retries"] = "0", ["RemoteEnvironments:box:AttemptTimeout"] = "00:00:05",
    };

    [Test]
    public void A_selected_remote_environment_whose_server_does_not_answer_is_refused_by_its_check_and_its_options_still_validate()
    {
        using var provider = Build(new(Unreachable) { ["Training:Environment"] = "box" });
        Assert.DoesNotThrow(() => provider.GetRequiredService<IStartupValidator>().Validate());
        var error = Assert.ThrowsAsync<GiGpoNetConfigurationException>(() => provider.ValidateGiGpoNetConfigurationAsync());
        Assert.That(error!.Message, Does.Contain("RemoteEnvironments:box:BaseAddress").And.Contain("gigpo serve-env"));
        Assert.That(error.Message.Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public void A_remote_environment_that_is_not_selected_is_not_asked_and_reading_its_description_unasked_says_what_to_call()
    {
        using var provider = Build(Unreachable);
        Assert.DoesNotThrowAsync(() => provider.ValidateGiGpoNetConfigurationAsync());
        var factory = provider.GetRequiredKeyedService<GiGpoNet.Environments.IEnvironmentFactory>("box");
        var error = Assert.Throws<InvalidOperationException>(() => _ = factory.Description);
        Assert.That(error!.Message, Does.Contain("ValidateGiGpoNetConfigurationAsync"));
    }

    [Test]
    public void A_remote_environments_bad_settings_are_options_validated_at_start_up_with_the_others_not_thrown_at_registration()
    {
        using var provider = Build(new(Unreachable) { ["RemoteEnvironments:box:Retries"] = "-1", ["Training:Groups"] = "0" });
        var error = Assert.Throws<GiGpoNetConfigurationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.That(error!.Message, Does.Contain("RemoteEnvironments:box:Retries = -1 must be 0 or more").And.Contain("Training:Groups"),
            "one start-up error, a line per problem, whichever section it is in");
    }

    private sealed class Failing(string problem) : IStartupCheck
    {
        public async Task CheckAsync(CancellationToken cancellationToken)
        {
            await Task.Yield();
            throw new GiGpoNetConfigurationException(problem);
        }
    }

    [Test]
    public void Every_check_runs_and_every_failure_is_reported_a_line_each()
    {
        using var provider = Build([], s => s.AddSingleton<IStartupCheck>(new Failing("first is wrong")).AddSingleton<IStartupCheck>(new Failing("second is wrong")));
        var error = Assert.Throws<GiGpoNetConfigurationException>(() => provider.ValidateGiGpoNetConfiguration());
        Assert.That(error!.Message.Split(Environment.NewLine), Is.EqualTo(new[] { "first is wrong", "second is wrong" }));
    }
}
