namespace GiGpoNet.Analyzers.Tests;

/// <summary>
/// GGN006: lines longer than the .editorconfig's max_line_length fail the build; the rest of the line is the location. (The prelude's
/// longest line has 67 characters.)
/// </summary>
public sealed class LineLengthRuleTests
{
    [Test]
    public Task A_line_over_the_limit_is_reported_from_the_limit_on() =>
        AnalyzerVerifier<LineLengthAnalyzer>.VerifyAsync("""
            static class C
            {
                const int Short = 1;
                const string Long = "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy{|GGN006:yyyyyyyy";|}
            }
            """, "max_line_length = 70");

    [Test]
    public Task A_line_of_exactly_the_limit_is_fine() =>
        AnalyzerVerifier<LineLengthAnalyzer>.VerifyAsync("""
            static class C
            {
                const string Long = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
            }
            """, "max_line_length = 70");

    [TestCase(null)]
    [TestCase("max_line_length = off")]
    public Task Without_a_numeric_limit_nothing_is_checked(string? editorConfig) =>
        AnalyzerVerifier<LineLengthAnalyzer>.VerifyAsync("""
            static class C
            {
                const string Long = "a string that goes on and on and on and on and on and on and on and on and on and on and on and on and on and on";
            }
            """, editorConfig);
}
