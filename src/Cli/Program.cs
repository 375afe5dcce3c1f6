using System.CommandLine;
using GiGpoNet.Cli;
using GiGpoNet.Cli.Commands;

return GigpoCommandLine.Invoke(args, Console.Out, Console.Error);

namespace GiGpoNet.Cli
{
    /// <summary>The <c>gigpo</c> command tree, invocable in-process (the tests do).</summary>
    public static class GigpoCommandLine
    {
        /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (<see cref="ExitCodes"/>: 0 success, 1 failure, 2 bad usage or configuration, 3 libtorch failed
        /// mid-run).</summary>
        public static int Invoke(string[] args, TextWriter output, TextWriter error)
        {
            var root = new RootCommand("gigpo: train LLM agents with GiGPO, GRPO or PPO, and inspect their credit assignment.")
            {
                TrainCommand.Create(output, error),
                CheckpointCommands.Eval(output, error),
                CheckpointCommands.Play(output, error),
                AdvantagesCommand.Create(error),
                ServeEnvCommand.Create(output, error),
                ServeRetrieverCommand.Create(output, error),
                ServePolicyCommand.Create(output, error),
                TokenizeCommand.Create(output, error),
                AblateCommand.Create(output, error),
                ReportCommand.Create(output, error),
                MergeCommand.Create(output, error),
                SettingsCommand.Create(output, error),
            };

            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var parseError in parse.Errors) error.WriteLine($"Usage error: {parseError.Message}");
                var verb = parse.CommandResult.Command == root ? "" : " " + parse.CommandResult.Command.Name;
                error.WriteLine($"Run 'gigpo{verb} --help' for usage.");
                return ExitCodes.BadUsage;
            }

            // Ctrl+C and SIGTERM cancel the running verb's token; it then has 10 seconds to stop cleanly.
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = TimeSpan.FromSeconds(10) });
        }
    }
}
