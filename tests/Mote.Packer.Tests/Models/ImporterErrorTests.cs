using System;
using System.Diagnostics;
using System.IO;
using Mote.Packer.Tflite;
using Mote.Tests.Common;
using Xunit;

namespace Mote.Packer.Tests.Models
{
    /// <summary>What a user sees when a model cannot be packed: typed errors naming file, operator and tensor.</summary>
    public class ImporterErrorTests
    {
        [SkippableFact]
        public void Pack_UnsupportedOperator_NamesOperatorIndexAndName()
        {
            // A real single-op model (opzoo TRANSPOSE, [input, perm] -> output) whose operator code is turned
            // into GATHER, which takes the same inputs and which Mote does not implement.
            string path = Path.Combine(SharedData.Require("opzoo"), "transpose_01_perm0213_2x3x4x5.tflite");
            var m = TfliteModel.Parse(File.ReadAllBytes(path), "transpose_01_perm0213_2x3x4x5.tflite");
            var gather = new OperatorCode { BuiltinCode = (int)BuiltinOperator.GATHER, RawBuiltinCode = (int)BuiltinOperator.GATHER,
                DeprecatedBuiltinCode = (sbyte)BuiltinOperator.GATHER };
            var model = new TfliteModel { Version = m.Version, OperatorCodes = new[] { gather }, Subgraphs = m.Subgraphs, Buffers = m.Buffers };
            var e = Assert.Throws<PackException>(() => TfliteImporter.Import(model, "gather.tflite"));
            Assert.Contains("gather.tflite", e.Message);
            Assert.Contains("operator 0 (GATHER)", e.Message);
            Assert.Contains("Supported:", e.Message);
        }

        [Fact]
        public void Pack_OperatorNoOneSupports_IsListedByName()
        {
            // (mnist_lstm_int8 served here until UNIDIRECTIONAL_SEQUENCE_LSTM became supported.)
            // The hand-built ADD model with its op code turned into EMBEDDING_LOOKUP (7).
            var s = Tflite.TfliteMalformedTests.BuildSample(x => x.OpCode.Set(0, new Tflite.FbTestWriter.I8(7)));
            var e = Assert.Throws<PackException>(() => Packer.PackTflite(s.Bytes, "lookup.tflite"));
            Assert.Contains("operator 0 (EMBEDDING_LOOKUP)", e.Message);
            Assert.Contains("UNIDIRECTIONAL_SEQUENCE_LSTM", e.Message); // in the supported list now
        }

        // int16 ADD packs since issue 9; Int16ElementwiseImportTests.Pack_Int16Softmax_StillSaysInt8Only
        // covers an int16 op that is still refused.

        [Fact]
        public void Pack_NotATflite_ThrowsFormatException()
        {
            var e = Assert.Throws<TfliteFormatException>(() => Packer.PackTflite(System.Text.Encoding.ASCII.GetBytes("this is not a model at all, just text"), "notes.tflite"));
            Assert.Contains("notes.tflite", e.Message);
        }

        [Fact]
        public void PackFile_WrongExtension_Explains()
        {
            // .onnx is a known type now (quantized while packing); .pb is not.
            string f = Path.Combine(Path.GetTempPath(), "mote-test-" + Guid.NewGuid() + ".pb");
            File.WriteAllBytes(f, new byte[16]);
            try
            {
                var e = Assert.Throws<PackException>(() => Packer.PackFile(f));
                Assert.Contains("unknown model type '.pb'", e.Message);
            }
            finally { File.Delete(f); }
        }

        /// <summary>
        /// Mutated real .tflite files through the whole packer: each must pack or fail with
        /// TfliteFormatException / PackException — never another exception, never a hang.
        /// Iterations: MOTE_FUZZ_ITERATIONS (default 1500 per model).
        /// </summary>
        [SkippableTheory]
        [InlineData("hello_world_int8")]
        [InlineData("micro_speech")]
        [InlineData("mlperf_kws_dscnn")]
        [InlineData("mnist_lstm_int8")]
        public void Pack_MutatedModel_OnlyTypedErrors(string model)
        {
            byte[] original = File.ReadAllBytes(SharedModels.ModelPath(model));
            int iterations = int.TryParse(Environment.GetEnvironmentVariable("MOTE_FUZZ_ITERATIONS"), out int n) ? n : 1500;
            var rng = new Random(model.GetHashCode() ^ 0x5EED);
            int packed = 0, rejected = 0;
            var sw = Stopwatch.StartNew();
            for (int iter = 0; iter < iterations; iter++)
            {
                byte[] b = (byte[])original.Clone();
                switch (rng.Next(5))
                {
                    case 0: b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8)); break;
                    case 1: for (int k = 0; k < 4; k++) b[rng.Next(b.Length)] = (byte)rng.Next(256); break;
                    case 2: Array.Resize(ref b, rng.Next(b.Length)); break;
                    case 3:
                    {
                        int at = rng.Next(b.Length - 4) & ~3;
                        int[] extremes = { 0, -1, int.MaxValue, int.MinValue, 0x7FFF, 1 << 20 };
                        BitConverter.TryWriteBytes(new Span<byte>(b, at, 4), extremes[rng.Next(extremes.Length)]);
                        break;
                    }
                    default:
                    {
                        // Small header-area mutation: most structure (root table, vtables) lives near the start.
                        int at = rng.Next(Math.Min(256, b.Length));
                        b[at] = (byte)rng.Next(256);
                        break;
                    }
                }
                var t0 = sw.Elapsed;
                try { Packer.PackTflite(b, model + ".tflite"); packed++; }
                catch (TfliteFormatException) { rejected++; }
                catch (PackException) { rejected++; }
                catch (Exception ex) { throw new Exception($"{model} iteration {iter}: {ex.GetType().Name}: {ex.Message}", ex); }
                Assert.True(sw.Elapsed - t0 < TimeSpan.FromSeconds(5), $"{model} iteration {iter}: packing took {(sw.Elapsed - t0).TotalSeconds:F1} s");
            }
            Assert.True(packed > 0 && rejected > 0, $"degenerate fuzz mix: {packed} packed, {rejected} rejected");
        }
    }
}
