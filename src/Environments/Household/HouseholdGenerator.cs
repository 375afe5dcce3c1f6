namespace GiGpoNet.Environments.Household;

/// <summary>Generates a household task and room from a seed: the same seed always gives the same room, objects and goal.</summary>
internal static class HouseholdGenerator
{
    private static readonly (string Type, bool Openable, int Min, int Max)[] StandardRoom =
    [
        ("cabinet", true, 2, 5), ("drawer", true, 1, 3), ("countertop", false, 1, 2), ("shelf", false, 1, 2),
        ("diningtable", false, 1, 1), ("sidetable", false, 0, 1), ("desk", false, 0, 1), ("fridge", true, 1, 1),
        ("microwave", true, 1, 1), ("sinkbasin", false, 1, 1), ("garbagecan", false, 1, 1), ("coffeemachine", false, 1, 1),
        ("stoveburner", false, 1, 2), ("toaster", false, 0, 1),
    ];

    private static readonly (string Type, bool Openable, int Min, int Max)[] SmallRoom =
    [
        ("cabinet", true, 1, 2), ("drawer", true, 1, 1), ("countertop", false, 1, 1), ("shelf", false, 0, 1),
        ("diningtable", false, 0, 1), ("sidetable", false, 0, 1), ("desk", false, 0, 1), ("fridge", true, 1, 1),
        ("microwave", true, 1, 1), ("sinkbasin", false, 1, 1), ("garbagecan", false, 0, 1), ("coffeemachine", false, 0, 1),
    ];

    private static readonly string[] CleanableObjects = ["mug", "cup", "plate", "bowl", "knife", "spoon", "apple", "lettuce", "tomato", "potato"];
    private static readonly string[] HeatableObjects = ["mug", "cup", "potato", "apple", "egg", "tomato", "bread", "plate"];
    private static readonly string[] CoolableObjects = ["apple", "potato", "tomato", "lettuce", "mug", "cup", "bread", "egg", "winebottle"];
    private static readonly string[] LookObjects = ["book", "cd", "alarmclock", "keychain", "pen", "pencil", "creditcard", "cellphone"];
    private static readonly string[] AllObjects =
        [.. CleanableObjects.Concat(HeatableObjects).Concat(CoolableObjects).Concat(LookObjects).Concat(["saltshaker", "peppershaker", "spatula", "vase", "statue"]).Distinct()];

    private static readonly string[] PlacementTargets = ["countertop", "shelf", "cabinet", "diningtable", "drawer", "garbagecan", "sidetable", "desk", "coffeemachine", "fridge",
        "microwave"];

    public static HouseholdWorld Generate(int seed, HouseholdRoomSize size = HouseholdRoomSize.Standard)
    {
        var random = new Random(seed);
        var type = (HouseholdTaskType)random.Next(6);

        var receptacles = new List<Receptacle>();
        foreach (var (kind, openable, min, max) in size == HouseholdRoomSize.Small ? SmallRoom : StandardRoom)
        {
            var count = random.Next(min, max + 1);
            for (var i = 1; i <= count; i++) receptacles.Add(new Receptacle($"{kind} {i}", openable));
        }
        // The desk lamp stands on a desk or a side table; make sure there is one.
        var lampHolders = receptacles.Where(r => r.Type is "desk" or "sidetable").ToList();
        if (lampHolders.Count == 0)
        {
            var desk = new Receptacle("desk 1", openable: false);
            receptacles.Add(desk);
            lampHolders.Add(desk);
        }
        var lampLocation = lampHolders[random.Next(lampHolders.Count)].Name;
        receptacles = [.. receptacles.OrderBy(r => r.Name, StringComparer.Ordinal)];

        var objectType = type switch
        {
            HouseholdTaskType.LookAtObjInLight => Pick(random, LookObjects),
            HouseholdTaskType.PickCleanThenPlaceInRecep => Pick(random, CleanableObjects),
            HouseholdTaskType.PickHeatThenPlaceInRecep => Pick(random, HeatableObjects),
            HouseholdTaskType.PickCoolThenPlaceInRecep => Pick(random, CoolableObjects),
            _ => Pick(random, AllObjects),
        };
        string? target = null;
        if (type != HouseholdTaskType.LookAtObjInLight)
        {
            // The target must exist in the room, and must not be the appliance the task uses to change the object.
            var present = PlacementTargets.Where(t => receptacles.Any(r => r.Type == t)).ToList();
            present.RemoveAll(t => (type == HouseholdTaskType.PickHeatThenPlaceInRecep && t == "microwave")
                                    || (type == HouseholdTaskType.PickCoolThenPlaceInRecep && t == "fridge"));
            target = Pick(random, present);
        }
        var goal = new HouseholdGoal(type, objectType, target);

        // Instances of the goal object (two or three for pick-two), then distractors, never already in place.
        var counters = new Dictionary<string, int>();
        string NewName(string objectKind) => $"{objectKind} {counters[objectKind] = counters.GetValueOrDefault(objectKind) + 1}";
        var sources = receptacles.Where(r => r.Type != target && r.Name != lampLocation).ToList();
        var goalCopies = type == HouseholdTaskType.PickTwoObjAndPlace ? random.Next(2, 4) : random.Next(1, 3);
        for (var i = 0; i < goalCopies; i++) Pick(random, sources).Contents.Add(new HouseholdObject(NewName(objectType)));
        var distractors = size == HouseholdRoomSize.Small ? random.Next(2, 6) : random.Next(4, 11);
        for (var i = 0; i < distractors; i++)
        {
            var kind = Pick(random, AllObjects);
            if (kind == objectType) continue;
            Pick(random, receptacles).Contents.Add(new HouseholdObject(NewName(kind)));
        }
        return new HouseholdWorld(receptacles, goal, lampLocation);
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
