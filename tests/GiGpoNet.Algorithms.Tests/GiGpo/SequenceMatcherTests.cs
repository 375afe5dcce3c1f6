using System.Text.Json;
using GiGpoNet.Algorithms.GiGpo.Grouping;

namespace GiGpoNet.Algorithms.Tests.GiGpo;

public sealed class SequenceMatcherTests
{
    [Test]
    public void Ratios_equal_CPython_difflib_to_the_last_bit()
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "sequence_matcher_golden.jsonl");
        var checkedPairs = 0;
        var scratch = new Dictionary<int, int>();
        foreach (var line in File.ReadLines(path))
        {
            using var document = JsonDocument.Parse(line);
            var a = document.RootElement.GetProperty("a").GetString()!;
            var b = document.RootElement.GetProperty("b").GetString()!;
            var expected = document.RootElement.GetProperty("ratio").GetDouble();
            var matcher = new SequenceMatcher(b);
            var codePoints = SequenceMatcher.CodePoints(a);
            Assert.That(matcher.Ratio(a), Is.EqualTo(expected), $"a='{a}' b='{b}'");
            Assert.That(matcher.QuickRatioUpperBound(codePoints, scratch), Is.GreaterThanOrEqualTo(expected));
            Assert.That(matcher.LengthUpperBound(codePoints.Length), Is.GreaterThanOrEqualTo(expected));
            checkedPairs++;
        }
        Assert.That(checkedPairs, Is.GreaterThan(400));
    }

    [TestCase("abcd", "bcde", 0.75)]
    [TestCase("", "", 1.0)]
    [TestCase("abc", "", 0.0)]
    [TestCase("You arrive at fridge 1.", "You arrive at fridge 1.", 1.0)]
    public void Textbook_ratios(string a, string b, double expected) =>
        Assert.That(SequenceMatcher.Ratio(a, b), Is.EqualTo(expected).Within(1e-15));

    [Test]
    public void A_character_outside_the_basic_plane_counts_once_as_in_Python()
    {
        // "a😀" has 2 code points (3 UTF-16 units): ratio with "a" is 2*1/(2+1).
        Assert.That(SequenceMatcher.Ratio("a\U0001F600", "a"), Is.EqualTo(2.0 / 3).Within(1e-15));
    }
}
