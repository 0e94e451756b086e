using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Benchmarks
{
    /// <summary>
    /// Layer shapes taken from the shared models (person_detection / MobileNet-style blocks, an
    /// MLPerf KWS fully-connected head), random int8 data, per-channel requantization.
    /// Each benchmark pair is reference vs SIMD on identical buffers.
    /// </summary>
    [MemoryDiagnoser]
    public class KernelBenchmarks
    {
        [Params("conv1x1_24x24x64to128", "conv3x3_48x48x8to16", "dw3x3_48x48x64", "fc_1x1024to256")]
        public string Shape;

        ConvParams conv;
        FullyConnectedParams fc;
        byte[] input, filter, bias, quant, output;
        int shiftStart;

        [GlobalSetup]
        public void Setup()
        {
            var r = new Random(1);
            int outCount, inCount, wCount, channels;
            switch (Shape)
            {
                case "conv1x1_24x24x64to128": conv = Conv(24, 64, 1, 128); break;
                case "conv3x3_48x48x8to16": conv = Conv(48, 8, 3, 16); break;
                case "dw3x3_48x48x64": conv = Conv(48, 64, 3, 64); conv.DepthMultiplier = 1; break;
                default: fc = new FullyConnectedParams { Batches = 1, AccumDepth = 1024, OutputDepth = 256, InputOffset = 3, OutputOffset = -5, ActivationMin = -128, ActivationMax = 127 }; break;
            }
            if (conv != null)
            {
                inCount = conv.InputHeight * conv.InputWidth * conv.InputChannels;
                outCount = conv.OutputHeight * conv.OutputWidth * conv.OutputChannels;
                channels = conv.OutputChannels;
                wCount = Shape.StartsWith("dw") ? conv.FilterHeight * conv.FilterWidth * channels : channels * conv.FilterHeight * conv.FilterWidth * conv.InputChannels;
            }
            else { inCount = fc.AccumDepth; outCount = channels = fc.OutputDepth; wCount = fc.AccumDepth * fc.OutputDepth; }
            input = Random(r, inCount); filter = Random(r, wCount); output = new byte[outCount];
            bias = new byte[4 * channels];
            quant = new byte[8 * channels];
            shiftStart = 4 * channels;
            for (int c = 0; c < channels; c++)
            {
                BitConverter.TryWriteBytes(bias.AsSpan(4 * c), r.Next(-5000, 5000));
                BitConverter.TryWriteBytes(quant.AsSpan(4 * c), (1 << 30) + r.Next(1 << 29));
                BitConverter.TryWriteBytes(quant.AsSpan(shiftStart + 4 * c), -8);
            }
        }

        static ConvParams Conv(int hw, int cin, int k, int cout) => new ConvParams
        {
            Batches = 1, InputHeight = hw, InputWidth = hw, InputChannels = cin, FilterHeight = k, FilterWidth = k,
            OutputHeight = hw, OutputWidth = hw, OutputChannels = cout, StrideHeight = 1, StrideWidth = 1,
            DilationHeight = 1, DilationWidth = 1, PadTop = k / 2, PadLeft = k / 2, InputOffset = 128, OutputOffset = -128,
            ActivationMin = -128, ActivationMax = 127,
        };

        static byte[] Random(Random r, int n) { var a = new byte[n]; r.NextBytes(a); return a; }

        [Benchmark(Baseline = true)]
        public void Reference_()
        {
            if (fc != null) Reference.FullyConnected.Eval(fc, input, 0, filter, 0, bias, 0, quant, 0, shiftStart, output, 0);
            else if (Shape.StartsWith("dw")) Reference.DepthwiseConv2D.Eval(conv, input, 0, filter, 0, bias, 0, quant, 0, shiftStart, output, 0);
            else Reference.Conv2D.Eval(conv, input, 0, filter, 0, bias, 0, quant, 0, shiftStart, output, 0);
        }

        [Benchmark]
        public void Simd()
        {
            if (fc != null) Mote.Kernels.Simd.FullyConnected.Eval(fc, input, 0, filter, 0, bias, 0, quant, 0, shiftStart, output, 0);
            else if (Shape.StartsWith("dw")) Mote.Kernels.Simd.DepthwiseConv2D.Eval(conv, input, 0, filter, 0, bias, 0, quant, 0, shiftStart, output, 0);
            else Mote.Kernels.Simd.Conv2D.Eval(conv, input, 0, filter, 0, bias, 0, quant, 0, shiftStart, output, 0);
        }
    }

    public static class Program
    {
        public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
