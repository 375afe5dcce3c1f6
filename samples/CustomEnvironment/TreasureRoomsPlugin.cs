using GiGpoNet.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace CustomEnvironment;

/// <summary>
/// The plugin's entry point: <c>gigpo train --Plugins:0=samples/CustomEnvironment/bin/Debug/net10.0/CustomEnvironment.dll
/// --Training:Environment=treasure_rooms</c>.
/// </summary>
public sealed class TreasureRoomsPlugin : IGiGpoNetPlugin
{
    /// <inheritdoc />
    public void Register(IGiGpoNetBuilder builder) => builder
        .AddEnvironment<TreasureRoomsEnvironment>(TreasureRoomsEnvironment.Description)
        .AddPolicy<RandomExplorerPolicy>("random_explorer");
}
