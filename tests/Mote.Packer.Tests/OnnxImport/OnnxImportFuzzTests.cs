using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mote.Packer.Float;
using Mote.Packer.Onnx;
using Mote.Packer.Quantization;
using Mote.Tests.Common;
using Xunit;

namespace Mote.Packer.Tests.OnnxImport
{
    /// <summary>
    /// Mutated sample models that still parse as protobuf must be imported, quantized and packed
    /// or refused with a typed error — never crash with another exception.
    /// </summary>
    public class OnnxImportFuzzTests
    {
        static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("MOTE_FUZZ_ITERATIONS"), out int n) ? Math.Max(1, n / 50) : 300;

        [Theory]
        [InlineData("digits", "digits.onnx")]
        [InlineData("digits", "digits_qdq.onnx")]
        [InlineData("ecg", "ecg.onnx")]
        public void MutatedModels_ImportOrFailWithATypedError(string sample, string file)
        {
            var original = File.ReadAllBytes(Path.Combine(SharedData.RepoRoot, "tools", "samples", sample, file));
            var rng = new Random(file.GetHashCode(StringComparison.Ordinal) & 0xFFFF);
            int parsed = 0, imported = 0;
            for (int i = 0; i < Iterations; i++)
            {
                var bytes = (byte[])original.Clone();
                int edits = 1 + rng.Next(4);
                for (int e = 0; e < edits; e++)
                {
                    int at = rng.Next(bytes.Length);
                    bytes[at] = rng.Next(3) switch { 0 => (byte)rng.Next(256), 1 => (byte)(bytes[at] ^ (1 << rng.Next(8))), _ => (byte)(bytes[at] + rng.Next(-2, 3)) };
                }
                OnnxModel model;
                try { model = OnnxModel.Parse(bytes, file); }
                catch (OnnxFormatException) { continue; }
                parsed++;
                try
                {
                    var g = OnnxImporter.Import(model);
                    var rnd = new Random(i);
                    var samples = Enumerable.Range(0, 2).Select(_ =>
                        new[] { Enumerable.Range(0, g.Tensors[g.Inputs[0].Tensor].ElementCount).Select(__ => (float)rnd.NextDouble()).ToArray() }).ToList();
                    PostTrainingQuantizer.Run(g, samples, new QuantizeOptions { Method = RangeMethod.MinMax }, bytes.Length);
                    imported++;
                }
                catch (Exception e) when (e is PackException or OnnxFormatException)
                {
                    Assert.False(string.IsNullOrWhiteSpace(e.Message));
                }
                catch (Exception e)
                {
                    Assert.Fail($"iteration {i}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                }
            }
            Assert.True(parsed > 0, "no mutation parsed; the fuzz does not reach the importer");
        }
    }
}
