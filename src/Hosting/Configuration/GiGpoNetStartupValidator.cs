using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Configuration;

/// <summary>
/// The start-up validation that a generic host runs in <c>StartAsync</c> and <c>ValidateGiGpoNetConfiguration</c> runs in a plain
/// provider: the components' sections, then every option validated on start (GiGPO.NET's and the application's own), reported as one
/// <see cref="GiGpoNetConfigurationException"/> with a line per problem, whichever way the host starts.
/// </summary>
/// <remarks>Registered after the options' own validator, so that it is the one a host resolves; that one is run through it.</remarks>
internal sealed class GiGpoNetStartupValidator(IServiceProvider services) : IStartupValidator
{
    public void Validate()
    {
        services.GetService<ConfigurationSections>()?.CheckComponents();
        try
        {
            foreach (var validator in services.GetServices<IStartupValidator>())
                if (validator is not GiGpoNetStartupValidator) validator.Validate();
        }
        catch (OptionsValidationException e)
        {
            throw new GiGpoNetConfigurationException(string.Join(Environment.NewLine, e.Failures), e);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            var failures = e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures);
            throw new GiGpoNetConfigurationException(string.Join(Environment.NewLine, failures), e);
        }
    }
}
