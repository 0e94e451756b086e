using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Mote.Packer.Blob;
using Mote.Runtime;
using Mote.Runtime.Format;
using Mote.Packer.Tests.Models;
using Xunit;
using static Mote.Packer.Tests.Blob.BlobBytes;

namespace Mote.Packer.Tests.Blob
{
    /// <summary>The writer's output against the normative layout, and the reader's rejection of bad blobs.</summary>
    public class BlobTests
    {
        static byte[] Blob() => Packer.Finish(TestGraphs.AllOps(), 0).Blob;

        static MoteFormatException Rejects(byte[] blob, bool reseal = true)
        {
            if (reseal) BlobWriter.Seal(blob);
            return Assert.Throws<MoteFormatException>(() => Model.Load(blob));
        }

        [Fact]
        public void Crc32_CheckValue_MatchesStandard()
        {
            // The CRC-32 (IEEE) check value of the ASCII string "123456789" is 0xCBF43926.
            var data = System.Text.Encoding.ASCII.GetBytes("123456789");
            Assert.Equal(0xCBF43926u, Crc32.Compute(data, 0, data.Length));
        }

        [Fact]
        public void Write_AllOpsGraph_HeaderFollowsSpec()
        {
            var b = Blob();
            Assert.Equal(new byte[] { 0x4D, 0x4F, 0x54, 0x45 }, b[..4]);
            Assert.Equal(1, LittleEndian.ReadUInt16(b, 4));
            Assert.Equal(3, LittleEndian.ReadUInt16(b, 6)); // format 1.3: the writer writes the current minor version
            Assert.Equal(64, LittleEndian.ReadInt32(b, 8));
            Assert.Equal(b.Length, LittleEndian.ReadInt32(b, 12));
            // CRC over [20, total): recomputed here independently of the writer's Seal.
            Assert.Equal(Crc32.Compute(b, 20, b.Length - 20), LittleEndian.ReadUInt32(b, 16));
            int sections = LittleEndian.ReadInt32(b, 28);
            for (int i = 0; i < sections; i++)
                Assert.Equal(0, LittleEndian.ReadInt32(b, 64 + 16 * i + 4) % 16);
        }

        [Fact]
        public void Load_AllOpsGraph_ExposesTensorsOperatorsAndIo()
        {
            var m = Model.Load(Blob());
            Assert.Equal(8, m.OperatorCount);
            Assert.Equal(new[] { OpCode.Conv2D, OpCode.DepthwiseConv2D, OpCode.MaxPool2D, OpCode.Add, OpCode.AveragePool2D, OpCode.Reshape, OpCode.FullyConnected, OpCode.Softmax },
                System.Linq.Enumerable.Range(0, 8).Select(i => m.GetOperator(i).Code));
            Assert.Equal("input", m.GetInput(0).Name);
            Assert.Equal(new[] { 1, 6, 6, 2 }, m.GetInput(0).Shape);
            Assert.Equal(-3, m.GetInput(0).ZeroPoint);
            Assert.Equal(0.05f, m.GetInput(0).Scale);
            Assert.Equal(0.02f, m.GetScale(m.GetTensor(1), 1));
            Assert.True(m.ArenaBytes > 0 && m.ArenaBytes % 16 == 0);
        }

        [Fact]
        public void Load_EveryTruncation_ThrowsFormatException()
        {
            var b = Blob();
            for (int n = 0; n < b.Length; n++)
            {
                var cut = new byte[n];
                Array.Copy(b, cut, n);
                var e = Assert.Throws<MoteFormatException>(() => Model.Load(cut));
                Assert.Contains("invalid blob", e.Message);
            }
        }

        [Fact]
        public void Load_FlippedBitWithoutReseal_ReportsCrcMismatch()
        {
            var b = Blob();
            b[b.Length - 7] ^= 0x10;
            var e = Rejects(b, reseal: false);
            Assert.Contains("CRC-32 mismatch", e.Message);
            Assert.Equal(16, e.Offset);
        }

        [Fact]
        public void Load_NewerMajorVersion_SaysRepack()
        {
            var b = Blob();
            LittleEndian.WriteUInt16(b, 4, 2);
            LittleEndian.WriteUInt16(b, 6, 0);
            var e = Rejects(b);
            Assert.Contains("format 2.0 is not supported", e.Message);
        }

        [Fact]
        public void Load_WrongMagic_SaysNotABlob()
        {
            var b = Blob();
            b[0] = (byte)'X';
            Assert.Contains("not a .mote blob", Rejects(b).Message);
        }


        [Fact]
        public void Load_TensorOutsideArena_NamesTensorAndOffset()
        {
            var b = Blob();
            int rec = Section(b, BlobFormat.SectionTensors) + 64 * 0; // tensor 0 = input, an arena tensor
            LittleEndian.WriteInt32(b, rec + 28, LittleEndian.ReadInt32(b, 24)); // starts at the arena's end
            var e = Rejects(b);
            Assert.Contains("tensor 0", e.Message);
            Assert.Equal("TENSORS", e.Section);
            Assert.Equal(rec + 28, e.Offset);
        }

        [Fact]
        public void Load_UnknownOpCode_NamesOperator()
        {
            var b = Blob();
            int rec = Section(b, BlobFormat.SectionOperators) + 32 * 3;
            LittleEndian.WriteUInt16(b, rec, 999);
            var e = Rejects(b);
            Assert.Contains("operator 3", e.Message);
            Assert.Contains("op code 999 is unknown", e.Message);
        }

        [Fact]
        public void Load_ShapeByteSizeMismatch_Rejected()
        {
            var b = Blob();
            int rec = Section(b, BlobFormat.SectionTensors) + 64 * 0;
            LittleEndian.WriteInt32(b, rec + 4 + 4, 7); // H 6 -> 7 without changing the byte size
            Assert.Contains("does not equal", Rejects(b).Message);
        }

        [Fact]
        public void Load_ConvStrideZero_Rejected()
        {
            var b = Blob();
            int words = Section(b, BlobFormat.SectionParams);
            LittleEndian.WriteInt32(b, words, 0); // operator 0 (CONV_2D) word 0: stride_h
            var e = Rejects(b);
            Assert.Contains("operator 0 (CONV_2D)", e.Message);
        }

        [Fact]
        public void Load_ShiftTableOutOfRange_Rejected()
        {
            var b = Blob();
            var m = Model.Load((byte[])b.Clone());
            int shifts = m.GetOperator(0).ShiftStart;
            LittleEndian.WriteInt32(b, shifts, 40);
            Assert.Contains("shift 40 of channel 0 is out of range", Rejects(b).Message);
        }

        [Fact]
        public void Load_SectionsOverlap_Rejected()
        {
            var b = Blob();
            // Point OPERATORS at TENSORS' offset.
            LittleEndian.WriteInt32(b, 64 + 16 + 4, LittleEndian.ReadInt32(b, 64 + 4));
            Assert.Contains("overlap", Rejects(b).Message);
        }

        [Fact]
        public void Interpreter_CallerArenaTooSmall_Throws()
        {
            var m = Model.Load(Blob());
            Assert.Throws<ArenaTooSmallException>(() => new Interpreter(m, new byte[m.ArenaBytes - 16])); // an ArgumentException
        }

        /// <summary>
        /// Mutates real blobs and re-seals the CRC so the structural checks (not just the CRC) are
        /// exercised. Each mutation must either load — and then Invoke without any exception — or throw
        /// MoteFormatException. Iterations: MOTE_FUZZ_ITERATIONS (default 3000).
        /// </summary>
        [Fact]
        public void Load_RandomMutationsResealed_OnlyFormatExceptionsAndSafeInvoke()
        {
            int iterations = int.TryParse(Environment.GetEnvironmentVariable("MOTE_FUZZ_ITERATIONS"), out int n) ? n : 3000;
            var seeds = new[] { Blob(), Packer.Finish(TestGraphs.AllOps(seed: 9), 0).Blob, Packer.Finish(TestGraphs.NewOps(), 0).Blob };
            var rng = new Random(20261121);
            int loaded = 0, rejected = 0;
            var sw = Stopwatch.StartNew();
            for (int iter = 0; iter < iterations; iter++)
            {
                var b = (byte[])seeds[iter % seeds.Length].Clone();
                int kind = rng.Next(4);
                int edits = 1 + rng.Next(3);
                for (int e = 0; e < edits; e++)
                {
                    int at = 20 + rng.Next(b.Length - 24);
                    switch (kind)
                    {
                        case 0: b[at] ^= (byte)(1 << rng.Next(8)); break;
                        case 1: b[at] = (byte)rng.Next(256); break;
                        case 2: LittleEndian.WriteInt32(b, at & ~3, new[] { 0, -1, 1, int.MaxValue, int.MinValue, 65536, 16 }[rng.Next(7)]); break;
                        default: LittleEndian.WriteInt32(b, at & ~3, LittleEndian.ReadInt32(b, at & ~3) + rng.Next(-64, 65)); break;
                    }
                }
                if (SealLoadInvoke(b, iter)) loaded++; else rejected++;
            }
            Assert.True(rejected > 0 && loaded > 0, $"fuzz mix degenerate: {loaded} loaded, {rejected} rejected");
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60 + iterations / 100), "fuzzing took too long: a mutation may cause a near-hang");
        }

        /// <summary>
        /// The same on real models' blobs: structural mutations (resealed) of micro_speech and
        /// mlperf_kws_dscnn load-and-invoke; person_detection's are load-checked only (each Invoke
        /// costs milliseconds). Iterations: MOTE_FUZZ_ITERATIONS (default 1500 per model).
        /// </summary>
        [SkippableTheory]
        [InlineData("hello_world_int8", true)]
        [InlineData("micro_speech", true)]
        [InlineData("mlperf_kws_dscnn", true)]
        [InlineData("keyword_scrambled_int8", true)]
        [InlineData("person_detection", false)]
        public void Load_MutatedSharedModelBlob_OnlyFormatExceptions(string model, bool invoke)
        {
            var original = SharedModels.Pack(SharedModels.ModelPath(model)).Blob;
            int iterations = int.TryParse(Environment.GetEnvironmentVariable("MOTE_FUZZ_ITERATIONS"), out int n) ? n : 1500;
            var rng = new Random(model.Length * 7919);
            // Mutate the tables (header, sections, tensors, operators, params), where structure lives;
            // flipping weight bytes only changes numbers.
            int constants = 0;
            for (int i = 0; i < LittleEndian.ReadInt32(original, 28); i++)
                if (LittleEndian.ReadInt32(original, 64 + 16 * i) == BlobFormat.SectionConstants) constants = LittleEndian.ReadInt32(original, 64 + 16 * i + 4);
            int loaded = 0;
            for (int iter = 0; iter < iterations; iter++)
            {
                var b = (byte[])original.Clone();
                int at = 20 + rng.Next(constants - 24);
                if (rng.Next(2) == 0) b[at] ^= (byte)(1 << rng.Next(8));
                else LittleEndian.WriteInt32(b, at & ~3, new[] { 0, -1, 1, int.MaxValue, int.MinValue, 4096, 16 }[rng.Next(7)]);
                BlobWriter.Seal(b);
                Model m;
                try { m = Model.Load(b); }
                catch (MoteFormatException) { continue; }
                catch (Exception ex) { throw new Exception($"{model} iteration {iter}: Load threw {ex.GetType().Name}: {ex.Message}", ex); }
                loaded++;
                if (!invoke) continue;
                try { new Interpreter(m).Invoke(); }
                catch (Exception ex) { throw new Exception($"{model} iteration {iter}: a blob that loaded failed in Invoke: {ex}", ex); }
            }
            Assert.True(loaded > 0, "no mutation loaded: the fuzz only exercised rejection");
        }
    }
}
