namespace GiGpoNet.Environments.Search.Corpus;

/// <summary>
/// The built-in corpus: seeded entities (people, cities, countries, organisations, works) with relations between them, one short
/// document per entity that states the entity's own facts. The same seed always gives the same corpus.
/// </summary>
internal sealed class KnowledgeCorpus
{
    private static readonly string[] Onsets = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "st", "tr"];
    private static readonly string[] Vowels = ["a", "e", "i", "o", "u", "ai", "ea", "io"];
    private static readonly string[] Codas = ["", "", "n", "r", "l", "s", "th", "m"];
    private static readonly string[] CitySuffixes = ["burg", "ford", "ton", "vale", "mouth", "holm", "port", "field"];
    private static readonly string[] CountrySuffixes = ["ia", "land", "stan", "ora"];
    private static readonly string[] OrganisationKinds = ["Institute", "Press", "Company", "Foundation", "Group", "Society", "Works", "Bank"];
    private static readonly string[] Occupations = ["writer", "engineer", "painter", "historian", "chemist", "architect", "composer", "physician", "lawyer", "teacher"];
    private static readonly string[] WorkKinds = ["novel", "play", "poem", "treatise", "memoir", "opera", "atlas", "essay"];
    private static readonly string[] Adjectives =
    [
        "Silent", "Golden", "Broken", "Hidden", "Distant", "Crimson", "Quiet", "Endless", "Frozen", "Burning", "Lonely", "Bright", "Ancient",
        "Wandering", "Sleeping", "Winter", "Summer", "Iron", "Glass", "Paper", "Velvet", "Hollow", "Scarlet", "Northern", "Southern",
        "Falling", "Rising", "Second", "Last", "Secret",
    ];
    private static readonly string[] Nouns =
    [
        "Harbor", "River", "Garden", "Mountain", "Kingdom", "Lantern", "Forest", "Mirror", "Bridge", "Tower", "Island", "Orchard", "Voyage",
        "Letter", "Season", "Empire", "Compass", "Meadow", "Castle", "Horizon", "Shadow", "Window", "Station", "Village", "Desert", "Ocean",
        "Valley", "Circle", "Archive", "Promise",
    ];

    private readonly Dictionary<string, Entity> _byId;
    private readonly Dictionary<string, Entity> _byName;

    private KnowledgeCorpus(int seed, IReadOnlyList<Entity> entities)
    {
        Seed = seed;
        Entities = entities;
        _byId = entities.ToDictionary(e => e.Id, StringComparer.Ordinal);
        _byName = entities.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The seed it was generated from.</summary>
    public int Seed { get; }

    /// <summary>Every entity, in document order.</summary>
    public IReadOnlyList<Entity> Entities { get; }

    /// <summary>The entity whose document has id <paramref name="id"/>, if any.</summary>
    public Entity? ById(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The entity named <paramref name="name"/> (case-insensitive), if any.</summary>
    public Entity? ByName(string name) => _byName.GetValueOrDefault(name.Trim());

    /// <summary>
    /// The document of <paramref name="entity"/>: its name, what it is, and its facts in the style of an encyclopaedia's infobox line,
    /// each fact named by the word the questions use for it ("Ciorbrer Casleas (lawyer), birthplace Hotothburg, employer Brotrain
    /// Foundation.").
    /// </summary>
    public static string DocumentText(Entity entity) =>
        $"{entity.Name} ({entity.Description}), {string.Join(", ", entity.Facts.Select(f => $"{f.Key.Word} {f.Value.Name}"))}.";

    /// <summary>The entities a document names: its own entity first, then the objects of its facts.</summary>
    public static IEnumerable<Entity> Mentions(Entity entity) => [entity, .. entity.Facts.Values];

    /// <summary>Generates a corpus of 1,930 documents.</summary>
    public static KnowledgeCorpus Generate(int seed)
    {
        var random = new Random(seed);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var entities = new List<Entity>();
        Entity Add(EntityKind kind, Func<string> name, string description)
        {
            string candidate;
            do candidate = name(); while (!names.Add(candidate));
            var entity = new Entity($"e{entities.Count}", candidate, kind, description);
            entities.Add(entity);
            return entity;
        }

        string Root() => Capitalize(Syllable(random) + Syllable(random));
        // People's names combine a given name and a family name from pools of 40 each, as real names share their parts; the other
        // names are one invented word each (and the kind of organisation).
        var given = DistinctRoots(random, 40);
        var family = DistinctRoots(random, 40);
        var countries = Enumerable.Range(0, 30).Select(_ => Add(EntityKind.Country, () => Root() + Pick(random, CountrySuffixes), "country")).ToList();
        var cities = Enumerable.Range(0, 150).Select(_ => Add(EntityKind.City, () => Root() + Pick(random, CitySuffixes), "city")).ToList();
        var organisations = Enumerable.Range(0, 150).Select(_ =>
        {
            var kind = Pick(random, OrganisationKinds);
            return Add(EntityKind.Organisation, () => $"{Root()} {kind}", OrganisationDescription(kind));
        }).ToList();
        var people = Enumerable.Range(0, 900).Select(_ => Add(EntityKind.Person, () => $"{Pick(random, given)} {Pick(random, family)}", Pick(random, Occupations))).ToList();
        var works = Enumerable.Range(0, 700).Select(_ => Add(EntityKind.Work, () => $"The {Pick(random, Adjectives)} {Pick(random, Nouns)}", Pick(random, WorkKinds))).ToList();

        for (var i = 0; i < cities.Count; i++)
            cities[i].Facts[Relation.LocatedIn] = i < countries.Count ? countries[i] : Pick(random, countries);
        foreach (var country in countries)
            country.Facts[Relation.Capital] = Pick(random, cities.Where(c => c.Facts[Relation.LocatedIn] == country).ToList());
        foreach (var person in people)
        {
            person.Facts[Relation.BornIn] = Pick(random, cities);
            person.Facts[Relation.WorksFor] = Pick(random, organisations);
        }
        foreach (var organisation in organisations)
        {
            organisation.Facts[Relation.HeadquarteredIn] = Pick(random, cities);
            organisation.Facts[Relation.FoundedBy] = Pick(random, people);
        }
        foreach (var work in works)
        {
            work.Facts[Relation.WrittenBy] = Pick(random, people);
            work.Facts[Relation.PublishedBy] = Pick(random, organisations);
        }
        return new KnowledgeCorpus(seed, entities);
    }

    private static string OrganisationDescription(string kind) => kind switch
    {
        "Institute" => "research institute",
        "Press" => "publishing house",
        "Foundation" => "charitable foundation",
        "Society" => "learned society",
        "Bank" => "bank",
        _ => "company",
    };

    private static List<string> DistinctRoots(Random random, int count)
    {
        var roots = new List<string>(count);
        while (roots.Count < count)
            if (Capitalize(Syllable(random) + Syllable(random)) is var root && !roots.Contains(root)) roots.Add(root);
        return roots;
    }

    private static string Syllable(Random random) => Pick(random, Onsets) + Pick(random, Vowels) + Pick(random, Codas);

    private static string Capitalize(string word) => char.ToUpperInvariant(word[0]) + word[1..];

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
