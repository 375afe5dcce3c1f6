using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Environments;
using GiGpoNet.Environments.Household;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Environments.Shop;
using GiGpoNet.Environments.Sokoban;

namespace GiGpoNet.Hosting.Tests;

/// <summary>
/// A from-scratch policy's word-level vocabulary exported as a Hugging Face tokenizer.json (WordLevel model, Split pre-tokenizer,
/// special tokens) gives, loaded back through <see cref="HuggingFaceTokenizer"/>, the same ids as the word-level tokenizer on the
/// environments' texts, words outside the vocabulary included.
/// </summary>
public sealed class TokenizerExportTests
{
    private static async Task<List<string>> Texts()
    {
        var texts = new List<string>();
        var builder = new AgentPromptBuilder(new RolloutOptions { HistoryLength = 2 });
        var memory = new SimpleEpisodeMemoryFactory();
        foreach (var (description, create) in new (EnvironmentDescription, Func<IEnvironment>)[]
                 {
                     (HouseholdEnvironment.Description, () => new HouseholdEnvironment()), (SokobanEnvironment.Description, () => new SokobanEnvironment()),
                     (ShopEnvironment.Description, () => new ShopEnvironment()),
                 })
        {
            for (var seed = 0; seed < 6; seed++)
            {
                await using var environment = create();
                var episode = memory.Create();
                var observation = await environment.ResetAsync(new EnvironmentReset(seed, DatasetSplit.Test));
                for (var step = 0; step < 4; step++)
                {
                    texts.Add(builder.Build(new PromptContext(description, observation, episode, 2)));
                    var action = ((IExpertEnvironment)environment).ExpertAction() ?? observation.AdmissibleActions?.FirstOrDefault() ?? "look";
                    texts.Add(AnswerFormat.For(action, thinkTags: seed % 2 == 0));
                    var outcome = await environment.StepAsync(action);
                    episode.Add(observation.Text, action);
                    observation = outcome.Observation;
                    if (outcome.Done) break;
                }
            }
        }
        return texts;
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    public async Task The_exported_tokenizer_json_gives_the_word_level_ids_and_decodes_back(bool spacesApart, bool numberTokens)
    {
        var texts = await Texts();
        // The vocabulary from half of the texts, so that the other half holds words it lacks (spelled character by character).
        var words = WordLevelTokenizer.Build(texts.Where((_, i) => i % 2 == 0), maxWords: 300, spacesApart, numberTokens);
        var runsOfDigits = 0;
        var folder = Path.Combine(Path.GetTempPath(), "gigpo-tokenizer-" + Guid.NewGuid().ToString("N"));
        try
        {
            words.SaveHuggingFace(folder);
            var exported = HuggingFaceTokenizer.Load(folder);
            Assert.That(exported.VocabularySize, Is.EqualTo(words.VocabularySize));
            Assert.That(exported.PaddingId, Is.EqualTo(words.PaddingId));
            Assert.That(exported.EndOfTurnIds, Is.EqualTo(words.EndOfTurnIds));
            var characterSpelled = 0;
            foreach (var text in texts)
            {
                var prompt = words.ApplyChatTemplate(text);
                Assert.That(exported.ApplyChatTemplate(text), Is.EqualTo(prompt));
                var ids = words.Encode(prompt);
                Assert.That(exported.Encode(prompt), Is.EqualTo(ids), text);
                Assert.That(exported.Decode(ids), Is.EqualTo(words.Decode(ids)));
                characterSpelled += ids.Count(id => id > WordLevelTokenizer.SpecialTokens.Length && id < WordLevelTokenizer.SpecialTokens.Length + 97 &&
                                                    char.IsAsciiLetter(words.Decode([id])[0]));
                runsOfDigits += ids.Count(id => words.Decode([id]) is { Length: > 1 } token && token.All(char.IsAsciiDigit));
            }
            Assert.That(characterSpelled, Is.GreaterThan(100), "the texts hold words outside the vocabulary");
            Assert.That(runsOfDigits, numberTokens ? Is.GreaterThan(100) : Is.Zero, "the shop's prices are runs of digits");
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
