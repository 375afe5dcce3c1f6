using System.Text;

namespace GiGpoNet.Environments.Household;

/// <summary>A receptacle: a place objects are in or on; some open and close.</summary>
internal sealed class Receptacle(string name, bool openable)
{
    public string Name { get; } = name;
    public string Type { get; } = name[..name.LastIndexOf(' ')];
    public bool Openable { get; } = openable;
    public bool IsOpen { get; set; } = !openable;
    public List<HouseholdObject> Contents { get; } = [];
}

/// <summary>A takeable object and the states the tasks care about.</summary>
internal sealed class HouseholdObject(string name)
{
    public string Name { get; } = name;
    public string Type { get; } = name[..name.LastIndexOf(' ')];
    public bool Clean { get; set; }
    public bool Hot { get; set; }
    public bool Cool { get; set; }
}

/// <summary>The goal of an episode.</summary>
internal sealed record HouseholdGoal(HouseholdTaskType Type, string ObjectType, string? ReceptacleType)
{
    /// <summary>The task sentence, as ALFWorld words it.</summary>
    public string Describe() => Type switch
    {
        HouseholdTaskType.PickAndPlace => $"put a {ObjectType} in {ReceptacleType}.",
        HouseholdTaskType.LookAtObjInLight => $"look at {ObjectType} under the desklamp.",
        HouseholdTaskType.PickCleanThenPlaceInRecep => $"put a clean {ObjectType} in {ReceptacleType}.",
        HouseholdTaskType.PickHeatThenPlaceInRecep => $"put a hot {ObjectType} in {ReceptacleType}.",
        HouseholdTaskType.PickCoolThenPlaceInRecep => $"put a cool {ObjectType} in {ReceptacleType}.",
        HouseholdTaskType.PickTwoObjAndPlace => $"put two {ObjectType} in {ReceptacleType}.",
        _ => throw new InvalidOperationException(),
    };
}

/// <summary>
/// The state and rules of one household episode, in the spirit of ALFWorld's text engine: the agent goes to receptacles, opens
/// and closes them, carries one object at a time, heats (microwave), cools (fridge), cleans (sink basin) and turns on the desk lamp.
/// Observations are phrased as ALFWorld phrases them. Invalid commands answer "Nothing happens." and change nothing.
/// </summary>
internal sealed class HouseholdWorld
{
    public const string NothingHappens = "Nothing happens.";

    public HouseholdWorld(List<Receptacle> receptacles, HouseholdGoal goal, string lampLocation)
    {
        Receptacles = receptacles;
        Goal = goal;
        LampLocation = lampLocation;
    }

    public List<Receptacle> Receptacles { get; }
    public HouseholdGoal Goal { get; }
    public string LampLocation { get; }
    public Receptacle? Location { get; private set; }

    /// <summary>Receptacles the agent has been to, in order of first visit.</summary>
    public List<Receptacle> Visited { get; } = [];
    public HouseholdObject? Holding { get; private set; }
    public bool LampOn { get; private set; }
    public bool Won { get; private set; }

    public Receptacle Find(string name) => Receptacles.First(r => r.Name == name);

    public IEnumerable<HouseholdObject> AllObjects => Receptacles.SelectMany(r => r.Contents).Concat(Holding is null ? [] : [Holding]);

    /// <summary>The first observation: the room overview and the task.</summary>
    public string Introduction()
    {
        var names = Receptacles.Select(r => "a " + r.Name).ToList();
        var list = names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + ", and " + names[^1];
        return $"-= Welcome to TextWorld, ALFRED! =-\n\nYou are in the middle of a room. Looking quickly around you, you see {list}.\n\nYour task is to: {Goal.Describe()}";
    }

    /// <summary>The commands that do something now, ALFWorld style.</summary>
    public List<string> AdmissibleActions()
    {
        var actions = new List<string>();
        foreach (var r in Receptacles)
            if (r != Location) actions.Add($"go to {r.Name}");
        if (Location is { } here)
        {
            if (here.Openable) actions.Add(here.IsOpen ? $"close {here.Name}" : $"open {here.Name}");
            if (here.IsOpen)
            {
                if (Holding is null)
                    foreach (var o in here.Contents) actions.Add($"take {o.Name} from {here.Name}");
                else
                    actions.Add($"put {Holding.Name} in/on {here.Name}");
            }
            if (Holding is not null)
            {
                if (here.Type == "microwave") actions.Add($"heat {Holding.Name} with {here.Name}");
                if (here.Type == "fridge") actions.Add($"cool {Holding.Name} with {here.Name}");
                if (here.Type == "sinkbasin") actions.Add($"clean {Holding.Name} with {here.Name}");
            }
            if (here.Name == LampLocation) actions.Add("use desklamp 1");
            actions.Add($"examine {here.Name}");
        }
        if (Holding is not null) actions.Add($"examine {Holding.Name}");
        actions.Add("inventory");
        actions.Add("look");
        return actions;
    }

    /// <summary>Applies a command and returns the observation.</summary>
    public string Step(string command)
    {
        var c = command.Trim().ToLowerInvariant();
        if (c == "look") return Look();
        if (c == "inventory") return Holding is null ? "You are not carrying anything." : $"You are carrying: a {Holding.Name}.";
        if (c.StartsWith("go to ", StringComparison.Ordinal)) return GoTo(c[6..]);
        if (c.StartsWith("open ", StringComparison.Ordinal)) return Open(c[5..], open: true);
        if (c.StartsWith("close ", StringComparison.Ordinal)) return Open(c[6..], open: false);
        if (c.StartsWith("take ", StringComparison.Ordinal)) return Take(c[5..]);
        if (c.StartsWith("put ", StringComparison.Ordinal)) return Put(c[4..]);
        if (c.StartsWith("heat ", StringComparison.Ordinal)) return Process(c[5..], "microwave", o => o.Hot = true, "heat");
        if (c.StartsWith("cool ", StringComparison.Ordinal)) return Process(c[5..], "fridge", o => o.Cool = true, "cool");
        if (c.StartsWith("clean ", StringComparison.Ordinal)) return Process(c[6..], "sinkbasin", o => o.Clean = true, "clean");
        if (c == "use desklamp 1") return UseLamp();
        if (c.StartsWith("examine ", StringComparison.Ordinal)) return Examine(c[8..]);
        return NothingHappens;
    }

    private string Look() => Location is null
        ? "You are in the middle of a room. Looking quickly around you, you see nothing new."
        : $"You are facing the {Location.Name}. Next to it, you see nothing.";

    private string GoTo(string target)
    {
        var r = Receptacles.FirstOrDefault(x => x.Name == target);
        if (r is null || r == Location) return NothingHappens;
        Location = r;
        if (!Visited.Contains(r)) Visited.Add(r);
        return $"You arrive at {r.Name}. {Describe(r)}";
    }

    private string Open(string target, bool open)
    {
        if (Location is null || Location.Name != target || !Location.Openable || Location.IsOpen == open) return NothingHappens;
        Location.IsOpen = open;
        return open ? $"You open the {target}. {Describe(Location)}" : $"You close the {target}.";
    }

    private string Take(string rest)
    {
        var parts = rest.Split(" from ", 2);
        if (parts.Length != 2 || Holding is not null || Location is null || Location.Name != parts[1] || !Location.IsOpen) return NothingHappens;
        var o = Location.Contents.FirstOrDefault(x => x.Name == parts[0]);
        if (o is null) return NothingHappens;
        Location.Contents.Remove(o);
        Holding = o;
        return $"You pick up the {o.Name} from the {Location.Name}.";
    }

    private string Put(string rest)
    {
        var parts = rest.Split(" in/on ", 2);
        if (parts.Length != 2 || Holding is null || Holding.Name != parts[0] || Location is null || Location.Name != parts[1] || !Location.IsOpen)
            return NothingHappens;
        var o = Holding;
        Location.Contents.Add(o);
        Holding = null;
        CheckPlacementGoal();
        return $"You put the {o.Name} in/on the {Location.Name}.";
    }

    private string Process(string rest, string appliance, Action<HouseholdObject> apply, string verb)
    {
        var parts = rest.Split(" with ", 2);
        if (parts.Length != 2 || Holding is null || Holding.Name != parts[0] || Location is null || Location.Name != parts[1] || Location.Type != appliance)
            return NothingHappens;
        apply(Holding);
        return $"You {verb} the {Holding.Name} using the {Location.Name}.";
    }

    private string UseLamp()
    {
        if (Location is null || Location.Name != LampLocation) return NothingHappens;
        LampOn = true;
        if (Goal.Type == HouseholdTaskType.LookAtObjInLight && Holding?.Type == Goal.ObjectType) Won = true;
        return "You turn on the desklamp 1.";
    }

    private string Examine(string target)
    {
        if (Holding is not null && Holding.Name == target)
        {
            var states = new List<string>();
            if (Holding.Clean) states.Add("clean");
            if (Holding.Hot) states.Add("hot");
            if (Holding.Cool) states.Add("cool");
            return states.Count == 0 ? $"There's nothing special about {Holding.Name}." : $"This is a {string.Join(" and ", states)} {Holding.Name}.";
        }
        if (Location is not null && Location.Name == target) return Describe(Location);
        return NothingHappens;
    }

    private string Describe(Receptacle r)
    {
        if (!r.IsOpen) return $"The {r.Name} is closed.";
        var items = r.Contents.Select(o => "a " + o.Name).ToList();
        if (r.Name == LampLocation) items.Add("a desklamp 1");
        var list = items.Count switch
        {
            0 => "nothing",
            1 => items[0],
            _ => string.Join(", ", items.Take(items.Count - 1)) + ", and " + items[^1],
        };
        return r.Openable ? $"The {r.Name} is open. In it, you see {list}." : $"On the {r.Name}, you see {list}.";
    }

    private void CheckPlacementGoal()
    {
        if (Goal.Type == HouseholdTaskType.LookAtObjInLight) return;
        var placed = Receptacles.Where(r => r.Type == Goal.ReceptacleType)
            .SelectMany(r => r.Contents)
            .Count(o => o.Type == Goal.ObjectType && Satisfies(o));
        Won = placed >= (Goal.Type == HouseholdTaskType.PickTwoObjAndPlace ? 2 : 1);
    }

    /// <summary>Whether an object has the state the goal asks for (clean, hot, cool, or nothing).</summary>
    public bool Satisfies(HouseholdObject o) => Goal.Type switch
    {
        HouseholdTaskType.PickCleanThenPlaceInRecep => o.Clean,
        HouseholdTaskType.PickHeatThenPlaceInRecep => o.Hot,
        HouseholdTaskType.PickCoolThenPlaceInRecep => o.Cool,
        _ => true,
    };

    /// <summary>A canonical text of the whole state, for tests of determinism.</summary>
    public string Fingerprint()
    {
        var text = new StringBuilder();
        text.Append(Location?.Name).Append('|').Append(Holding?.Name).Append('|').Append(LampOn).Append('|');
        foreach (var r in Receptacles)
            text.Append(r.Name).Append(r.IsOpen ? "+" : "-").Append(':').AppendJoin(',', r.Contents.Select(o =>
                $"{o.Name}{(o.Clean ? "c" : "")}{(o.Hot ? "h" : "")}{(o.Cool ? "k" : "")}")).Append(';');
        return text.ToString();
    }
}
