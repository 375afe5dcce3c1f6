namespace GiGpoNet.Environments.Household;

/// <summary>ALFWorld's six task types, named as ALFWorld's game files (and verl-agent's metrics) name them.</summary>
public enum HouseholdTaskType
{
    /// <summary>Put an object in or on a receptacle.</summary>
    PickAndPlace,

    /// <summary>Examine an object under the desk lamp.</summary>
    LookAtObjInLight,

    /// <summary>Clean an object in the sink basin, then put it in or on a receptacle.</summary>
    PickCleanThenPlaceInRecep,

    /// <summary>Heat an object in the microwave, then put it in or on a receptacle.</summary>
    PickHeatThenPlaceInRecep,

    /// <summary>Cool an object in the fridge, then put it in or on a receptacle.</summary>
    PickCoolThenPlaceInRecep,

    /// <summary>Put two objects of one type in or on a receptacle.</summary>
    PickTwoObjAndPlace,
}

/// <summary>Names of <see cref="HouseholdTaskType"/> as reported in metrics.</summary>
public static class HouseholdTaskTypes
{
    /// <summary>The metric name of a task type (ALFWorld's game-file prefix).</summary>
    public static string Name(HouseholdTaskType type) => type switch
    {
        HouseholdTaskType.PickAndPlace => "pick_and_place",
        HouseholdTaskType.LookAtObjInLight => "look_at_obj_in_light",
        HouseholdTaskType.PickCleanThenPlaceInRecep => "pick_clean_then_place_in_recep",
        HouseholdTaskType.PickHeatThenPlaceInRecep => "pick_heat_then_place_in_recep",
        HouseholdTaskType.PickCoolThenPlaceInRecep => "pick_cool_then_place_in_recep",
        HouseholdTaskType.PickTwoObjAndPlace => "pick_two_obj_and_place",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>All metric names, in enum order.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<HouseholdTaskType>().Select(Name)];
}
