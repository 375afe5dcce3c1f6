namespace GiGpoNet.Environments.Search.Corpus;

/// <summary>The kinds of entity in the built-in knowledge corpus.</summary>
internal enum EntityKind
{
    Person,
    City,
    Country,
    Organisation,
    Work,
}
