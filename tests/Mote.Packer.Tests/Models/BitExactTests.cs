using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Mote.Runtime;
using Mote.Tests.Common;
using Xunit;

namespace Mote.Packer.Tests.Models
{
    /// <summary>
    /// pack + run reproduces TensorFlow Lite Micro's outputs byte for byte (the oracle: vectors
    /// TFLM's reference kernels produced, in ../shared). Final outputs of every sample, and every
    /// intermediate tensor of sample 0 — random inputs saturate some classifiers' softmax, so the
    /// layers catch what the final bytes can hide.
    /// </summary>
    public class BitExactTests
    {
        static byte[] RunAll(Interpreter it, byte[] input)
        {
            int at = 0;
            for (int i = 0; i < it.InputCount; i++) { it.GetInput(i).CopyFrom(input, at); at += it.GetInput(i).Bytes; }
            Assert.Equal(input.Length, at);
            it.Invoke();
            int total = 0;
            for (int i = 0; i < it.OutputCount; i++) total += it.GetOutput(i).Bytes;
            var output = new byte[total];
            at = 0;
            for (int i = 0; i < it.OutputCount; i++) { it.GetOutput(i).CopyTo(output, at); at += it.GetOutput(i).Bytes; }
            return output;
        }

        static string FirstDifference(byte[] expected, byte[] actual)
        {
            if (expected.Length != actual.Length) return $"length {actual.Length}, expected {expected.Length}";
            int diffs = 0, first = -1;
            for (int i = 0; i < expected.Length; i++)
                if (expected[i] != actual[i]) { diffs++; if (first < 0) first = i; }
            return diffs == 0 ? null : $"{diffs} of {expected.Length} bytes differ; first at {first}: got {(sbyte)actual[first]}, TFLM {(sbyte)expected[first]}";
        }

        [SkippableTheory]
        [MemberData(nameof(SharedModels.ModelSamples), MemberType = typeof(SharedModels))]
        public void PackAndRun_SharedModelSample_MatchesTflmOutput(string model, int sample)
        {
            var packed = SharedModels.Pack(SharedModels.ModelPath(model));
            string dir = SharedModels.VectorDir(model);
            var it = new Interpreter(Model.Load(packed.Blob));
            var actual = RunAll(it, File.ReadAllBytes(Path.Combine(dir, $"input_{sample}.bin")));
            var diff = FirstDifference(File.ReadAllBytes(Path.Combine(dir, $"output_{sample}.bin")), actual);
            Assert.True(diff == null, $"{model} sample {sample}: {diff}");
        }

        [SkippableTheory]
        [MemberData(nameof(SharedModels.Models), MemberType = typeof(SharedModels))]
        public void PackAndRun_SharedModelSample0_EveryLayerMatchesTflm(string model)
        {
            var packed = SharedModels.Pack(SharedModels.ModelPath(model));
            string dir = SharedModels.VectorDir(model);
            var m = Model.Load(packed.Blob);
            var it = new Interpreter(m);
            var input = File.ReadAllBytes(Path.Combine(dir, "input_0.bin"));
            int at = 0;
            for (int i = 0; i < it.InputCount; i++) { it.GetInput(i).CopyFrom(input, at); at += it.GetInput(i).Bytes; }

            using var layers = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "layers.json")));
            var entries = layers.RootElement.GetProperty("layers").EnumerateArray().ToList();
            // One entry per operator output (format 1.3's signal operators have two), in order.
            int layer = 0;
            for (int i = 0; i < m.OperatorCount; i++)
            {
                it.InvokeOperator(i);
                var op = m.GetOperator(i);
                foreach (int t in op.Outputs)
                {
                    Assert.True(layer < entries.Count, $"{model}: more operator outputs than layers.json lists");
                    var e = entries[layer++];
                    Assert.Equal(e.GetProperty("op_index").GetInt32(), op.SourceIndex);
                    string tflmName = e.GetProperty("op").GetString();
                    Assert.True(tflmName == op.Name || tflmName == "CUSTOM", $"{model}: operator {i} is {op.Name}, TFLM's layer says {tflmName}");
                    int tensor = e.GetProperty("tensor_index").GetInt32();
                    var view = it.GetTensor(t);
                    Assert.Equal(tensor, view.Info.SourceIndex);
                    var expected = File.ReadAllBytes(Path.Combine(dir, "layers_0", $"op{i:D3}_{tflmName.ToLowerInvariant()}_t{tensor}.bin"));
                    var actual = new byte[view.Bytes];
                    view.CopyTo(actual, 0);
                    var diff = FirstDifference(expected, actual);
                    Assert.True(diff == null, $"{model}: first differing layer is operator {i} ({op.Name}, tensor {tensor}): {diff}");
                }
            }
            Assert.Equal(entries.Count, layer);
        }

        [SkippableTheory]
        [MemberData(nameof(SharedModels.OpzooCases), MemberType = typeof(SharedModels))]
        public void PackAndRun_OpzooCase_MatchesTflmOnEverySample(string name)
        {
            string dir = SharedData.Require("opzoo");
            var packed = SharedModels.Pack(Path.Combine(dir, name + ".tflite"));
            var it = new Interpreter(Model.Load(packed.Blob));
            int samples = 0;
            for (int k = 0; File.Exists(Path.Combine(dir, name + ".vectors", $"input_{k}.bin")); k++, samples++)
            {
                var actual = RunAll(it, File.ReadAllBytes(Path.Combine(dir, name + ".vectors", $"input_{k}.bin")));
                var diff = FirstDifference(File.ReadAllBytes(Path.Combine(dir, name + ".vectors", $"output_{k}.bin")), actual);
                Assert.True(diff == null, $"{name} sample {k}: {diff}");
            }
            Assert.True(samples >= 4, $"{name}: expected at least 4 samples, found {samples}");
        }

        [SkippableTheory]
        [MemberData(nameof(SharedModels.Models), MemberType = typeof(SharedModels))]
        public void Invoke_RepeatedOnSharedModel_AllocatesNothing(string model)
        {
            var packed = SharedModels.Pack(SharedModels.ModelPath(model));
            var it = new Interpreter(Model.Load(packed.Blob));
            var rng = new Random(7);
            for (int i = 0; i < it.InputCount; i++)
            {
                var v = it.GetInput(i);
                for (int k = 0; k < v.Bytes; k++) v.Buffer[v.Start + k] = (byte)rng.Next(256);
            }
            it.Invoke(); // first call: JIT and static initialization are not the runtime's allocations
            int runs = model.Contains("resnet_large") || model.Contains("vww") || model.Contains("person") ? 3 : 20;
            Assert.Equal(0, Mote.Tests.Common.Allocations.SteadyState(it.Invoke, runs));
        }
    }
}
