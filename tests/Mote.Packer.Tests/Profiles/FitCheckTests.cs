using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Mote.Packer.Graph;
using Mote.Packer.Planning;
using Mote.Packer.Profiles;
using Mote.Packer.Tests.Models;
using Mote.Runtime.Format;
using Xunit;

namespace Mote.Packer.Tests.Profiles
{
    /// <summary>The fit check on small graphs whose sizes are computed by hand, and its invariants on the shared models.</summary>
    public class FitCheckTests
    {
        /// <summary>
        /// input t0 int8[1,8,8,2] (128 B) → op 10 CONV_2D → t1 [1,8,8,&lt;mid&gt;] (4 channels: 256 B as int8, 512 B as int16)
        /// → op 11 DEPTHWISE_CONV_2D → t2 int8[1,4,4,4] (64 B) → op 12 FULLY_CONNECTED → t3 int8[1,10] (10 B, the output).
        /// Offsets set by hand: t0 @0, t1 @128, t2 @0, t3 @64. Live per step: step 0 = t0 + t1, step 1 = t1 + t2, step 2 = t2 + t3.
        /// </summary>
        static PackGraph Chain(int midType = DataType.Int8)
        {
            var g = new PackGraph { SourceName = "chain" };
            PackTensor T(string name, int dtype, int offset, params int[] shape) =>
                g.AddTensor(new PackTensor { Name = name, DataType = dtype, Shape = shape, ArenaOffset = offset, SourceIndex = 100 + g.Tensors.Count });
            PackTensor W(string name, params int[] shape)
            {
                var t = new PackTensor { Name = name, DataType = DataType.Int8, Shape = shape, SourceIndex = 100 + g.Tensors.Count };
                t.Data = new byte[t.Bytes];
                return g.AddTensor(t);
            }
            var t0 = T("t0", DataType.Int8, 0, 1, 8, 8, 2);
            var w0 = W("w0", 4, 3, 3, 2);
            var t1 = T("t1", midType, 128, 1, 8, 8, 4);
            var w1 = W("w1", 1, 3, 3, 4);
            var t2 = T("t2", DataType.Int8, 0, 1, 4, 4, 4);
            var w2 = W("w2", 10, 64);
            var t3 = T("t3", DataType.Int8, 64, 1, 10);
            g.Inputs = new[] { t0.Index };
            g.Outputs = new[] { t3.Index };
            g.Operators.Add(new PackOperator { Code = OpCode.Conv2D, Inputs = new[] { t0.Index, w0.Index, -1 }, Outputs = new[] { t1.Index }, SourceIndex = 10 });
            g.Operators.Add(new PackOperator { Code = OpCode.DepthwiseConv2D, Inputs = new[] { t1.Index, w1.Index, -1 }, Outputs = new[] { t2.Index }, SourceIndex = 11 });
            g.Operators.Add(new PackOperator { Code = OpCode.FullyConnected, Inputs = new[] { t2.Index, w2.Index, -1 }, Outputs = new[] { t3.Index }, SourceIndex = 12 });
            g.ArenaBytes = 128 + t1.Bytes;
            return g;
        }

        static HardwareProfile Board(string id = "test-board", long ram = 1 << 20, long flash = 1 << 20, double factor = 3.0, bool blobInRam = true,
            string tier = KernelTiers.NativePortableC) => new HardwareProfile
        {
            Id = id, Name = "Test board", Core = "test core", IsaFeatures = new[] { "dsp" }, ClockMhz = 100,
            FlashTotalBytes = flash, RamTotalBytes = ram, FlashBudgetBytes = flash, FlashBudgetAssumption = "test", RamBudgetBytes = ram,
            RamBudgetAssumption = "test", KernelTier = tier, WeightLayout = "plain", Alignment = 4, Runtime = Runtimes.NanoFramework,
            StateOverheadFactor = factor, StateOverheadAssumption = "test", BlobInRam = blobInRam, Sources = new[] { "test" },
        };

        // Blob 2,000 B (1,500 B constants), arena 384 B, host state 1,000 B.
        static FitReport Check(HardwareProfile p, PackGraph g = null, params HardwareProfile[] others) =>
            FitCheck.Check(p, g ?? Chain(), 2000, 1500, 384, 1000, others);

        [Fact]
        public void FindPeak_Chain_IsTheStepWithMostLiveBytes()
        {
            var peak = FitCheck.FindPeak(Chain());
            // step 0: t0 128 + t1 256 = 384; step 1: t1 256 + t2 64 = 320; step 2: t2 64 + t3 10 = 74.
            Assert.Equal(0, peak.Operator);
            Assert.Equal(10, peak.SourceIndex);
            Assert.Equal("CONV_2D", peak.OpName);
            Assert.Equal(384, peak.LiveBytes);
            Assert.Equal(new[] { ("t1", 256, 0, 10, false), ("t0", 128, -1, -1, true) },
                peak.Tensors.Select(t => (t.Name, t.Bytes, t.Producer, t.ProducerSourceIndex, t.IsModelInput)));
            Assert.Equal(new[] { 128, 0 }, peak.Tensors.Select(t => t.ArenaOffset));
            Assert.Equal(0, peak.ScratchBytes);
        }

        [Fact]
        public void FindPeak_OverlappingInPlaceBuffers_CountOnce()
        {
            var g = Chain();
            g.Tensors.Single(t => t.Name == "t1").ArenaOffset = 0;   // t1 over t0's bytes: step 0 covers 0..256
            g.Tensors.Single(t => t.Name == "t2").ArenaOffset = 300; // step 1: 0..256 ∪ 300..364 = 320
            var peak = FitCheck.FindPeak(g);
            Assert.Equal((1, 320L), (peak.Operator, peak.LiveBytes));
        }

        [Fact]
        public void FindPeak_KernelScratch_CountsAtItsStep()
        {
            var g = Chain();
            g.Plan = new ArenaPlan { ScratchBytes = new[] { 0, 100, 0 }, ScratchOffsets = new[] { -1, 384, -1 } };
            var peak = FitCheck.FindPeak(g);
            // step 1: t1 256 + t2 64 + scratch 100 = 420 > step 0's 384.
            Assert.Equal((1, 420L, 100), (peak.Operator, peak.LiveBytes, peak.ScratchBytes));
            var r = Check(Board(ram: 100, tier: KernelTiers.NativeCmsisDsp), g);
            Assert.Equal(100, r.ScratchBytes);
            Assert.Contains(r.Suggestions, s => s.StartsWith("reference instead of native-cmsis-dsp kernels: operator 11 DEPTHWISE_CONV_2D reserves 100 B"));
        }

        [Fact]
        public void FindPeak_UnplannedGraph_Throws()
        {
            var g = Chain();
            g.Tensors[0].ArenaOffset = -1;
            Assert.Contains("plan the graph first", Assert.Throws<ArgumentException>(() => FitCheck.FindPeak(g)).Message);
        }

        [Theory]
        [InlineData(new[] { 0, 10, 5, 10 }, 15)]         // overlap
        [InlineData(new[] { 0, 10, 20, 10 }, 20)]        // disjoint
        [InlineData(new[] { 0, 100, 10, 10, 50, 5 }, 100)] // nested
        [InlineData(new[] { 7, 0 }, 0)]                  // empty range
        public void UnionBytes_HandComputed(int[] pairs, long expected)
        {
            var ranges = Enumerable.Range(0, pairs.Length / 2).Select(i => (pairs[2 * i], pairs[2 * i + 1]));
            Assert.Equal(expected, FitCheck.UnionBytes(ranges));
        }

        [Fact]
        public void Check_RamIsArenaPlusScaledStatePlusBlob_ExactBudgetFits()
        {
            // arena 384 + state 1,000 × 3 + blob 2,000 = 5,384.
            var r = Check(Board(ram: 5384));
            Assert.Equal((384L, 3000L, 2000L, 5384L), (r.ArenaBytes, r.StateBytes, r.BlobRamBytes, r.RamBytes));
            Assert.True(r.Fits);
            Assert.Empty(r.Suggestions);
            Assert.Equal(100.0, FitReport.Percent(r.RamBytes, r.RamBudgetBytes));
            Assert.False(Check(Board(ram: 5383)).RamFits);
        }

        [Fact]
        public void Check_BlobNotInRam_NotCounted()
        {
            var r = Check(Board(ram: 3384, blobInRam: false));
            Assert.Equal((0L, 3384L), (r.BlobRamBytes, r.RamBytes));
            Assert.True(r.Fits);
        }

        [Fact]
        public void Check_StateRoundsUp()
        {
            Assert.Equal(1001, Check(Board(factor: 1.0001)).StateBytes);
            Assert.Equal(750, Check(Board(factor: 0.75)).StateBytes);
        }

        [Fact]
        public void Check_FlashBudget_BlobAgainstIt()
        {
            Assert.True(Check(Board(flash: 2000)).FlashFits);
            var r = Check(Board(flash: 1999));
            Assert.False(r.FlashFits);
            Assert.False(r.Fits);
            Assert.Equal("flash: the blob is 1 B over the budget; its weights and tables take 1,500 B: fewer channels or layers (smaller weight tensors), or a board with more flash",
                r.Suggestions[0]);
        }

        [Fact]
        public void Check_TooLittleRam_SuggestsFromTheNumbers()
        {
            var big = Board("big-board", ram: 1 << 20);
            var small = Board("small-board", ram: 4000);
            var r = Check(small, null, big, Board("tiny-board", ram: 10), small);
            Assert.False(r.Fits);
            Assert.Equal(new[] { "big-board" }, r.FitsOn);
            var s = r.Suggestions;
            Assert.Contains("the blob itself (2,000 B, of which 1,500 B weights and tables) is held in RAM on nanoframework-1.x (Model.Load reads a byte[]): a smaller model (fewer channels or layers) or a board with more RAM", s);
            Assert.Contains(s, x => x.StartsWith("a smaller input resolution: the input 't0' is int8[1,8,8,2]; activation sizes scale with its height × width, and 384 B are live at the peak (operator 10 CONV_2D)"));
            Assert.Contains("fewer channels at operator 10 CONV_2D: it writes 't1' int8[1,8,8,4] = 256 B, the largest tensor live at the peak (4 channels; each channel fewer saves 64 B there)", s);
            Assert.Contains("load-time state is 3,000 B on nanoframework-1.x (1,000 B measured on 64-bit .NET × 3): fewer operators and tensors reduce it", s);
            Assert.Equal("a board with more RAM: this one allows 4,000 B, the model needs 5,384 B (1,384 B over); of the profiles given, it fits: big-board", s[^1]);
            Assert.DoesNotContain(s, x => x.StartsWith("int8 instead"));
        }

        [Fact]
        public void Check_Int16AtPeak_SuggestsInt8()
        {
            var r = FitCheck.Check(Board(ram: 100), Chain(DataType.Int16), 2000, 1500, 640, 1000);
            Assert.Equal(640, r.Peak.LiveBytes); // t0 128 + t1 as int16 512
            Assert.Contains("int8 instead of int16: 't1' int16[1,8,8,4] takes 512 B at the peak; as int8 it would take 256 B", r.Suggestions);
        }

        [Fact]
        public void WriteJson_HasBudgetsPeakAndSuggestions()
        {
            var r = Check(Board(ram: 4000), null, Board("big-board"));
            var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) r.WriteJson(w);
            using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(ms.ToArray()));
            var j = doc.RootElement;
            Assert.False(j.GetProperty("fits").GetBoolean());
            Assert.Equal(5384, j.GetProperty("ram").GetProperty("total_bytes").GetInt64());
            Assert.Equal(4000, j.GetProperty("ram").GetProperty("budget_bytes").GetInt64());
            Assert.Equal(134.6, j.GetProperty("ram").GetProperty("percent").GetDouble());
            Assert.Equal(2000, j.GetProperty("flash").GetProperty("blob_bytes").GetInt64());
            Assert.Equal("CONV_2D", j.GetProperty("peak").GetProperty("op").GetString());
            Assert.Equal(2, j.GetProperty("peak").GetProperty("tensors").GetArrayLength());
            Assert.Equal("big-board", j.GetProperty("fits_on")[0].GetString());
            Assert.True(j.GetProperty("suggestions").GetArrayLength() >= 3);
        }

        [SkippableTheory]
        [MemberData(nameof(SharedModels.Models), MemberType = typeof(SharedModels))]
        public void FindPeak_SharedModel_BetweenLowerBoundAndArena(string model)
        {
            var packed = SharedModels.Pack(SharedModels.ModelPath(model));
            var peak = FitCheck.FindPeak(packed.Graph);
            Assert.InRange(peak.LiveBytes, packed.ArenaLowerBound, packed.Model.ArenaBytes);
            Assert.Equal(peak.LiveBytes, FitCheck.UnionBytes(peak.Tensors.Select(t => (t.ArenaOffset, t.Bytes))) + peak.ScratchBytes);
        }
    }
}
