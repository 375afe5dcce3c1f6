namespace GiGpoNet.Backend;

/// <summary>
/// Marks a method whose tensor temporaries are kept alive by its caller's dispose scope instead of one of its own; the analyzers
/// (GGN004, GGN005) then accept its temporaries and require every call of it to be inside a scope.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, Inherited = false)]
internal sealed class RequiresDisposeScopeAttribute : Attribute;
