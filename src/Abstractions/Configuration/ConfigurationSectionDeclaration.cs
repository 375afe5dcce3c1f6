namespace GiGpoNet;

/// <summary>
/// A top-level configuration section that a package reads, declared when the package registers itself
/// (<see cref="Microsoft.Extensions.DependencyInjection.ConfigurationSectionBuilderExtensions"/>). The declared sections are the known
/// ones: any other top-level section is refused at start-up, and a run's <c>configuration.json</c> records each as its
/// <see cref="Recording"/> says.
/// </summary>
/// <param name="Name">The section's name, <c>Update</c> or <c>RemoteEnvironments</c>.</param>
/// <param name="OptionsType">The options type the section binds to, for <see cref="SectionRecording.Options"/>; null otherwise.</param>
/// <param name="Recording">What a run's <c>configuration.json</c> holds of it.</param>
/// <param name="SecretKeys">Keys never written to a run's files (an API key).</param>
public sealed record ConfigurationSectionDeclaration(string Name, Type? OptionsType, SectionRecording Recording, IReadOnlyList<string> SecretKeys);
