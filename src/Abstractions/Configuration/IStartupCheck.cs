namespace GiGpoNet;

/// <summary>
/// A start-up check that reaches outside the process (a server answers, a model is served), run asynchronously once every option has
/// validated: by <c>ValidateGiGpoNetConfigurationAsync</c> (and its synchronous twin) and by a generic host's <c>StartAsync</c>.
/// Validators and property getters never do I/O; what needs the network is a check. Register one with
/// <c>services.AddSingleton&lt;IStartupCheck, MyCheck&gt;()</c>.
/// </summary>
public interface IStartupCheck
{
    /// <summary>Checks; returns when all is well.</summary>
    /// <exception cref="GiGpoNetConfigurationException">What is wrong and how to fix it, in one line.</exception>
    Task CheckAsync(CancellationToken cancellationToken);
}
