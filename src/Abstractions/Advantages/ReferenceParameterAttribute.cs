namespace GiGpoNet.Advantages;

/// <summary>
/// Names the verl / verl-agent parameter that an option property corresponds to (for example <c>step_advantage_w</c>),
/// so that a run's settings can be given with the reference implementation's names (<c>gigpo advantages --param</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true)]
public sealed class ReferenceParameterAttribute(string name) : Attribute
{
    /// <summary>The reference implementation's parameter name.</summary>
    public string Name { get; } = name;
}
