using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using Mote.Kernels.Simd;
using Mote.Packer;
using Mote.Runtime;

namespace Mote.Benchmarks
{
    /// <summary>
    /// Whole shared models through the interpreter, reference kernels vs <see cref="SimdKernelSet"/>, on the
    /// model's first TFLM input vector: covers the operators that have no per-shape benchmark above (LSTM,
    /// SVDF, int16 elementwise, pooling) in the setting that matters. Needs ../shared/models (or
    /// MOTE_SHARED); a missing model fails the setup, naming the path.
    /// </summary>
    [MemoryDiagnoser]
    public class ModelBenchmarks
    {
        [Params("mnist_lstm_int8", "micro_speech_lstm", "keyword_scrambled_int8", "simple_add", "seanet_add0_int16", "mlperf_kws_dscnn")]
        public string Model;

        Interpreter reference, simd;

        [GlobalSetup]
        public void Setup()
        {
            string shared = Environment.GetEnvironmentVariable("MOTE_SHARED") ?? FindShared();
            string tflite = Path.Combine(shared, "models", Model + ".tflite");
            if (!File.Exists(tflite)) throw new FileNotFoundException($"ModelBenchmarks: {tflite} not found (set MOTE_SHARED to the shared folder)", tflite);
            byte[] blob = Packer.Packer.PackTflite(File.ReadAllBytes(tflite), tflite).Blob;
            byte[] input = File.ReadAllBytes(Path.Combine(shared, "models", Model + ".vectors", "input_0.bin"));
            reference = Load(blob, input);
            simd = Load(blob, input);
            simd.Kernels = new SimdKernelSet();
        }

        /// <summary>The nearest ../shared above the benchmark's folder (BenchmarkDotNet runs a generated copy deeper in bin/).</summary>
        static string FindShared()
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
                if (Directory.Exists(Path.Combine(d.FullName, "shared", "models"))) return Path.Combine(d.FullName, "shared");
            return Path.Combine(AppContext.BaseDirectory, "shared");
        }

        static Interpreter Load(byte[] blob, byte[] input)
        {
            var it = new Interpreter(Runtime.Model.Load(blob));
            int at = 0;
            for (int i = 0; i < it.InputCount; i++) { it.GetInput(i).CopyFrom(input, at); at += it.GetInput(i).Bytes; }
            return it;
        }

        [Benchmark(Baseline = true)]
        public void Reference_() => reference.Invoke();

        [Benchmark]
        public void Simd() => simd.Invoke();
    }
}
