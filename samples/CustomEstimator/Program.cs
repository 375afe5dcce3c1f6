return await CustomEstimator.CustomEstimatorSample.RunAsync(args, Console.Out);
