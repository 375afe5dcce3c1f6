namespace GiGpoNet.Learning;

/// <summary>The settings of a supervised warm start.</summary>
/// <param name="Epochs">Passes over the demonstrations.</param>
/// <param name="LearningRate">The optimizer's learning rate.</param>
/// <param name="BatchSize">Demonstrations per optimizer step.</param>
/// <param name="Seed">Seed of the shuffle.</param>
public sealed record SupervisedSettings(int Epochs, double LearningRate, int BatchSize, long Seed);
