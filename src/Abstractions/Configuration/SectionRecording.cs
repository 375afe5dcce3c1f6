namespace GiGpoNet;

/// <summary>What a run's <c>configuration.json</c> holds of a declared section, so that <c>--settings</c> on it reproduces the run.</summary>
public enum SectionRecording
{
    /// <summary>Nothing: the section does not change what a run computes (<c>Logging</c>).</summary>
    None,

    /// <summary>The bound options, defaults included.</summary>
    Options,

    /// <summary>The child named by <c>Training:Environment</c>, as it was set (<c>RemoteEnvironments:&lt;name&gt;</c>).</summary>
    SelectedEnvironment,

    /// <summary>The child named by <c>Training:Policy</c>, as it was set (<c>Policies:&lt;name&gt;</c>).</summary>
    SelectedPolicy,
}
