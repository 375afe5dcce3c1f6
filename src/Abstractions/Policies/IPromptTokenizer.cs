namespace GiGpoNet.Policies;

/// <summary>
/// Turns a prompt into the token ids a learner trains on (its chat template applied). A remote policy sends these ids, so that the
/// learner and an inference server never tokenize the same text twice, differently.
/// </summary>
public interface IPromptTokenizer
{
    /// <summary>The token ids of <paramref name="userMessage"/> as a one-turn chat prompt, ready for the assistant's answer.</summary>
    int[] EncodePrompt(string userMessage);
}
