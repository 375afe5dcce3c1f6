namespace GiGpoNet.Environments.Household;

/// <summary>How many receptacles and objects a generated room holds.</summary>
public enum HouseholdRoomSize
{
    /// <summary>ALFWorld-sized kitchens: 13–23 receptacles (2–5 cabinets, 1–3 drawers, stove burners, ...) and 4–10 distractor objects.</summary>
    Standard,

    /// <summary>
    /// Small rooms: 7–13 receptacles (the sink basin, microwave, fridge and a desk or side table that the task types need, plus a few
    /// cabinets, a drawer and surfaces) and 2–5 distractors. Episodes are about half as long; a from-scratch policy learns them on a CPU.
    /// </summary>
    Small,
}

/// <summary>Options of the built-in <c>household</c> environment, bound from <c>Environments:household</c>.</summary>
public sealed class HouseholdOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Environments:household";

    /// <summary>The size of the generated rooms. Default <see cref="HouseholdRoomSize.Standard"/>.</summary>
    public HouseholdRoomSize RoomSize { get; set; } = HouseholdRoomSize.Standard;
}
