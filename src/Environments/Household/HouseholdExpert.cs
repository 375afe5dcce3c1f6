namespace GiGpoNet.Environments.Household;

/// <summary>
/// A planner with full knowledge of the state (as ALFWorld's handcoded expert has): find the object, take it, change it if the task
/// asks, and bring it to the goal. Its actions are admissible commands; used for warm-start demonstrations and tests.
/// </summary>
internal static class HouseholdExpert
{
    public static string NextAction(HouseholdWorld world)
    {
        var goal = world.Goal;
        var holding = world.Holding;

        if (holding is null || holding.Type != goal.ObjectType)
        {
            if (holding is not null) return PutDownAnywhere(world, holding);
            var source = world.Receptacles.FirstOrDefault(r => r.Type != goal.ReceptacleType && r.Contents.Any(o => o.Type == goal.ObjectType))
                         ?? world.Receptacles.First(r => r.Contents.Any(o => o.Type == goal.ObjectType && !IsPlaced(world, r, o)));
            if (world.Location != source) return $"go to {source.Name}";
            if (!source.IsOpen) return $"open {source.Name}";
            return $"take {source.Contents.First(o => o.Type == goal.ObjectType).Name} from {source.Name}";
        }

        if (goal.Type == HouseholdTaskType.LookAtObjInLight)
            return world.Location?.Name == world.LampLocation ? "use desklamp 1" : $"go to {world.LampLocation}";

        if (!world.Satisfies(holding))
        {
            var (appliance, verb) = goal.Type switch
            {
                HouseholdTaskType.PickCleanThenPlaceInRecep => ("sinkbasin", "clean"),
                HouseholdTaskType.PickHeatThenPlaceInRecep => ("microwave", "heat"),
                _ => ("fridge", "cool"),
            };
            var device = world.Receptacles.First(r => r.Type == appliance);
            return world.Location != device ? $"go to {device.Name}" : $"{verb} {holding.Name} with {device.Name}";
        }

        var target = world.Location is { } here && here.Type == goal.ReceptacleType ? here : world.Receptacles.First(r => r.Type == goal.ReceptacleType);
        if (world.Location != target) return $"go to {target.Name}";
        if (!target.IsOpen) return $"open {target.Name}";
        return $"put {holding.Name} in/on {target.Name}";
    }

    private static bool IsPlaced(HouseholdWorld world, Receptacle r, HouseholdObject o) => r.Type == world.Goal.ReceptacleType && world.Satisfies(o);

    private static string PutDownAnywhere(HouseholdWorld world, HouseholdObject holding)
    {
        var here = world.Location;
        if (here is not null && here.IsOpen) return $"put {holding.Name} in/on {here.Name}";
        if (here is not null && here.Openable) return $"open {here.Name}";
        return $"go to {world.Receptacles.First(r => !r.Openable).Name}";
    }
}
