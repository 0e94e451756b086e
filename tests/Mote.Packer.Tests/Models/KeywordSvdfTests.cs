using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using Mote.Packer.Quantization;
using Mote.Runtime.Kernels;
using Mote.Packer.Tflite;
using Mote.Runtime;
using Mote.Runtime.Format;
using Mote.Tests.Common;
using Xunit;

namespace Mote.Packer.Tests.Models
{
    /// <summary>
    /// keyword_scrambled_int8's SVDF stack against TFLM's sample-0 layer dumps, independently of the
    /// QUANTIZE variants at the model's ends: operators 1..13 (7 SVDF with int8 state, 5 FULLY_CONNECTED and
    /// the int8 -> int16 SOFTMAX) are cut out as their own subgraph whose input is tensor 0 (the
    /// first QUANTIZE's output), fed with TFLM's own op000 dump. Every layer must match TFLM's bytes,
    /// from a freshly reset state.
    /// </summary>
    public class KeywordSvdfTests
    {
        const string Name = "keyword_scrambled_int8";
        const int First = 1, Last = 13; // op001_svdf .. op013_softmax (int8 -> int16)

        static (PackResult packed, TfliteModel source) PackSvdfStack()
        {
            var full = TfliteModel.Parse(File.ReadAllBytes(SharedModels.ModelPath(Name)), Name + ".tflite");
            var sub = full.Subgraphs[0];
            var ops = sub.Operators.Skip(First).Take(Last - First + 1).ToArray();
            var cut = new SubGraph
            {
                Tensors = sub.Tensors,
                Inputs = ops[0].Inputs.Take(1).ToArray(),
                Outputs = ops[ops.Length - 1].Outputs,
                Operators = ops,
                Name = sub.Name,
            };
            var model = new TfliteModel { Version = full.Version, OperatorCodes = full.OperatorCodes, Subgraphs = new[] { cut }, Buffers = full.Buffers };
            var graph = TfliteImporter.Import(model, Name + " operators 1..13");
            return (Packer.Finish(graph, 0), full);
        }

        static string Layer(string dir, int op, string name, int tensor) =>
            Path.Combine(dir, "layers_0", $"op{op:D3}_{name.ToLowerInvariant()}_t{tensor}.bin");

        [SkippableFact]
        public void SvdfStack_Sample0_EveryLayerMatchesTflm()
        {
            string dir = SharedModels.VectorDir(Name);
            var (packed, full) = PackSvdfStack();
            var m = Model.Load(packed.Blob);
            Assert.Equal(Last - First + 1, m.OperatorCount);
            Assert.Equal(7, Enumerable.Range(0, m.OperatorCount).Count(i => m.GetOperator(i).Code == OpCode.Svdf));
            var it = new Interpreter(m);
            it.ResetState();
            it.GetInput(0).CopyFrom(File.ReadAllBytes(Layer(dir, 0, "quantize", full.Subgraphs[0].Operators[0].Outputs[0])), 0);
            for (int i = 0; i < m.OperatorCount; i++)
            {
                it.InvokeOperator(i);
                var op = m.GetOperator(i);
                var view = it.GetTensor(op.Outputs[0]);
                var expected = File.ReadAllBytes(Layer(dir, First + i, op.Name, view.Info.SourceIndex));
                var actual = new byte[view.Bytes];
                view.CopyTo(actual, 0);
                int diffs = 0, first = -1;
                for (int k = 0; k < expected.Length; k++)
                    if (expected[k] != actual[k]) { diffs++; if (first < 0) first = k; }
                Assert.True(expected.Length == actual.Length && diffs == 0,
                    $"operator {First + i} ({op.Name}, tensor {view.Info.SourceIndex}): {diffs} of {expected.Length} bytes differ"
                    + (first >= 0 ? $", first at {first}: got {(sbyte)actual[first]}, TFLM {(sbyte)expected[first]}" : ""));
            }
        }

        /// <summary>
        /// The model's first operator, QUANTIZE int16 -> int8, computed here as TFLM's Requantize does
        /// (effective scale (double)in / (double)out, QuantizeMultiplier, MultiplyByQuantizedMultiplier of
        /// x - in_zp, + out_zp, clamp); the caller checks the result against TFLM's hash of that layer.
        /// </summary>
        static byte[] QuantizeInput(TfliteModel full, byte[] raw)
        {
            var sub = full.Subgraphs[0];
            var qi = sub.Tensors[sub.Operators[0].Inputs[0]].Quantization;
            var qo = sub.Tensors[sub.Operators[0].Outputs[0]].Quantization;
            TfliteQuantMath.QuantizeMultiplier((double)qi.Scale[0] / (double)qo.Scale[0], out int m, out int shift);
            var r = new byte[raw.Length / 2];
            for (int k = 0; k < r.Length; k++)
            {
                int x = BitConverter.ToInt16(raw, 2 * k) - (int)qi.ZeroPoint[0];
                int v = FixedPoint.MultiplyByQuantizedMultiplier(x, m, shift) + (int)qo.ZeroPoint[0];
                r[k] = unchecked((byte)(sbyte)Math.Max(-128, Math.Min(127, v)));
            }
            return r;
        }

        /// <summary>
        /// All eight samples, one interpreter, ResetState before each (as TFLM's vectors were made): every
        /// layer's bytes hash to what layers.json records for TFLM. The layer dumps of this scrambled model
        /// are mostly saturated (-128 / 127), so many samples catch more than sample 0's bytes alone.
        /// </summary>
        [SkippableFact]
        public void SvdfStack_EverySample_EveryLayerHashMatchesTflm()
        {
            string dir = SharedModels.VectorDir(Name);
            var (packed, full) = PackSvdfStack();
            using var layers = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "layers.json")));
            var bySample = layers.RootElement.GetProperty("sha256_by_sample");
            var m = Model.Load(packed.Blob);
            var it = new Interpreter(m);
            int samples = 0;
            for (int k = 0; File.Exists(Path.Combine(dir, $"input_{k}.bin")); k++, samples++)
            {
                var hashes = bySample.GetProperty(k.ToString()).EnumerateArray().Select(e => e.GetString()).ToArray();
                var input = QuantizeInput(full, File.ReadAllBytes(Path.Combine(dir, $"input_{k}.bin")));
                Assert.True(Hash(input) == hashes[0], $"sample {k}: the QUANTIZE input computed here differs from TFLM's");
                it.ResetState();
                it.GetInput(0).CopyFrom(input, 0);
                for (int i = 0; i < m.OperatorCount; i++)
                {
                    it.InvokeOperator(i);
                    var view = it.GetTensor(m.GetOperator(i).Outputs[0]);
                    var actual = new byte[view.Bytes];
                    view.CopyTo(actual, 0);
                    Assert.True(Hash(actual) == hashes[First + i], $"sample {k}: operator {First + i} ({m.GetOperator(i).Name}) differs from TFLM");
                }
            }
            Assert.Equal(8, samples);
        }

        static string Hash(byte[] b) => Convert.ToHexString(SHA256.HashData(b)).ToLowerInvariant();
    }
}
