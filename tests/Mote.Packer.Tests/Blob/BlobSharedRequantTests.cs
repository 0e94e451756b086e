using System;
using System.Linq;
using Mote.Packer.Blob;
using Mote.Runtime;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Packer.Tests.Blob.BlobBytes;

namespace Mote.Packer.Tests.Blob
{
    /// <summary>
    /// Format 1.2's shared requantization entry (docs/blob-format.md §6): the writer stores one multiplier
    /// and shift, and parameter word 13 (CONV_2D, DEPTHWISE_CONV_2D) or 7 (FULLY_CONNECTED) = 0, when every
    /// channel's pair is equal; the loader rejects every bad stride value or word count, naming the operator.
    /// </summary>
    public class BlobSharedRequantTests
    {
        // TestGraphs.AllOps: the CONV_2D has per-channel scales (4 different pairs), the DEPTHWISE_CONV_2D
        // (8 channels) and the FULLY_CONNECTED (5) have per-tensor weights.
        const int Conv = 0, Depthwise = 1, FullyConnected = 6;

        static PackResult Packed(int seed = 1) => Packer.Finish(TestGraphs.AllOps(seed), 0);

        static MoteFormatException Rejects(byte[] blob)
        {
            BlobWriter.Seal(blob);
            return Assert.Throws<MoteFormatException>(() => Model.Load(blob));
        }


        static int OpRecord(byte[] b, int op) => Section(b, BlobFormat.SectionOperators) + BlobFormat.OperatorRecordSize * op;

        /// <summary>Absolute blob offset of parameter word <paramref name="word"/> of operator <paramref name="op"/>.</summary>
        static int WordAt(byte[] b, int op, int word) =>
            Section(b, BlobFormat.SectionParams) + 4 * (LittleEndian.ReadInt32(b, OpRecord(b, op) + 8) + word);

        static int Stride(Model m, int op) => m.GetOperator(op).Params switch
        {
            ConvParams c => c.RequantStride,
            FullyConnectedParams f => f.RequantStride,
            _ => throw new InvalidOperationException("operator " + op + " has no requantization tables"),
        };

        /// <summary>Every operator's output bytes, running the operators one by one on <paramref name="input"/>.</summary>
        static byte[][] Layers(byte[] blob, byte[] input)
        {
            var m = Model.Load(blob);
            var it = new Interpreter(m);
            it.GetInput(0).CopyFrom(input, 0);
            var layers = new byte[m.OperatorCount][];
            for (int i = 0; i < m.OperatorCount; i++)
            {
                it.InvokeOperator(i);
                var t = it.GetTensor(m.GetOperator(i).Outputs[0]);
                layers[i] = new byte[t.Bytes];
                t.CopyTo(layers[i], 0);
            }
            return layers;
        }

        [Fact]
        public void Write_PerTensorLayers_OneEntryAndStrideWordZero()
        {
            var r = Packed();
            var m = r.Model;
            var b = r.Blob;
            Assert.False(BlobWriter.SharesRequantization(r.Graph.Operators[Conv]));
            Assert.True(BlobWriter.SharesRequantization(r.Graph.Operators[Depthwise]));
            Assert.True(BlobWriter.SharesRequantization(r.Graph.Operators[FullyConnected]));

            Assert.Equal(13, m.GetOperator(Conv).ParamCount);
            Assert.Equal(1, Stride(m, Conv));
            Assert.Equal(14, m.GetOperator(Depthwise).ParamCount);
            Assert.Equal(0, LittleEndian.ReadInt32(b, WordAt(b, Depthwise, 13)));
            Assert.Equal(0, Stride(m, Depthwise));
            Assert.Equal(8, m.GetOperator(FullyConnected).ParamCount);
            Assert.Equal(0, LittleEndian.ReadInt32(b, WordAt(b, FullyConnected, 7)));
            Assert.Equal(0, Stride(m, FullyConnected));

            // One entry each: the shared entry is the graph's (equal) per-channel value.
            var dw = r.Graph.Operators[Depthwise];
            Assert.Equal(dw.Multipliers[0], LittleEndian.ReadInt32(b, m.GetOperator(Depthwise).MultiplierStart));
            Assert.Equal(dw.Shifts[0], LittleEndian.ReadInt32(b, m.GetOperator(Depthwise).ShiftStart));
            // The writer adds the word to its own copy: the graph keeps the 1.1 form, so writing again gives the same bytes.
            Assert.Equal(13, dw.Params.Length);
            Assert.Equal(b, BlobWriter.Write(r.Graph));
        }

        [Fact]
        public void SharesRequantization_OneChannelOrDifferentPairs_False()
        {
            var g = TestGraphs.AllOps();
            var fc = g.Operators[FullyConnected];
            Assert.True(BlobWriter.SharesRequantization(fc));
            fc.Shifts = (int[])fc.Shifts.Clone();
            fc.Shifts[4]--;
            Assert.False(BlobWriter.SharesRequantization(fc)); // equal multipliers, one shift differs
            fc.Multipliers = new[] { fc.Multipliers[0] };
            fc.Shifts = new[] { fc.Shifts[0] };
            Assert.False(BlobWriter.SharesRequantization(fc)); // one channel: the per-channel table is already one entry
            Assert.False(BlobWriter.SharesRequantization(g.Operators[2])); // MAX_POOL_2D has no tables
        }

        [Theory]
        [InlineData(1)]
        [InlineData(9)]
        public void Write_SharedAndPerChannelTables_SameBytesEveryLayerInEveryVersion(int seed)
        {
            var r = Packed(seed);
            var perChannel = BlobWriter.Write(r.Graph, shareRequantization: false);
            Assert.True(r.Blob.Length < perChannel.Length, $"shared {r.Blob.Length} B, per-channel {perChannel.Length} B");
            var m = Model.Load(perChannel);
            foreach (int op in new[] { Conv, Depthwise, FullyConnected }) Assert.Equal(1, Stride(m, op));
            Assert.Equal(7, m.GetOperator(FullyConnected).ParamCount);

            // The per-channel blob uses only 1.0's op codes and no 1.2 word: it is a valid 1.0 and 1.1 blob too.
            var as10 = (byte[])perChannel.Clone();
            LittleEndian.WriteUInt16(as10, BlobFormat.OffMinor, 0);
            BlobWriter.Seal(as10);
            var as11 = (byte[])perChannel.Clone();
            LittleEndian.WriteUInt16(as11, BlobFormat.OffMinor, 1);
            BlobWriter.Seal(as11);

            var rng = new Random(seed);
            for (int k = 0; k < 8; k++)
            {
                var input = new byte[r.Model.GetInput(0).Bytes];
                rng.NextBytes(input);
                var expected = Layers(r.Blob, input);
                Assert.Equal(expected, Layers(perChannel, input));
                Assert.Equal(expected, Layers(as10, input));
                Assert.Equal(expected, Layers(as11, input));
            }
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        public void Load_SharedEncodingInBlobDeclaringOlderVersion_SaysWriterBug(int minor)
        {
            var b = Packed().Blob;
            LittleEndian.WriteUInt16(b, BlobFormat.OffMinor, minor);
            var e = Rejects(b);
            Assert.Contains("operator 1 (DEPTHWISE_CONV_2D): has 14 parameter words: the requantization stride word needs format 1.2 but the blob declares 1."
                + minor + " (a writer bug)", e.Message);
            Assert.Equal(OpRecord(b, Depthwise) + 12, e.Offset);
        }

        [Theory]
        [InlineData(Depthwise, "DEPTHWISE_CONV_2D", 13, 2)]
        [InlineData(Depthwise, "DEPTHWISE_CONV_2D", 13, -1)]
        [InlineData(FullyConnected, "FULLY_CONNECTED", 7, int.MinValue)]
        [InlineData(FullyConnected, "FULLY_CONNECTED", 7, int.MaxValue)]
        [InlineData(FullyConnected, "FULLY_CONNECTED", 7, 65536)]
        public void Load_StrideWordNeitherZeroNorOne_NamesOperatorAndWord(int op, string name, int word, int value)
        {
            var b = Packed().Blob;
            int at = WordAt(b, op, word);
            LittleEndian.WriteInt32(b, at, value);
            var e = Rejects(b);
            Assert.Contains($"operator {op} ({name}): requantization stride {value} is neither 0", e.Message);
            Assert.Equal("OPERATORS", e.Section);
            Assert.Equal(at, e.Offset);
        }

        [Theory]
        [InlineData(Conv, "CONV_2D", 12, 13)]
        [InlineData(Conv, "CONV_2D", 15, 13)]
        [InlineData(Depthwise, "DEPTHWISE_CONV_2D", 15, 13)]
        [InlineData(Depthwise, "DEPTHWISE_CONV_2D", 0, 13)]
        [InlineData(FullyConnected, "FULLY_CONNECTED", 9, 7)]
        [InlineData(FullyConnected, "FULLY_CONNECTED", 6, 7)]
        [InlineData(FullyConnected, "FULLY_CONNECTED", -1, 7)]
        public void Load_WordCountNeitherFormNorStrideForm_NamesOperator(int op, string name, int count, int words)
        {
            var b = Packed().Blob;
            LittleEndian.WriteInt32(b, OpRecord(b, op) + 12, count);
            var e = Rejects(b);
            Assert.Contains($"operator {op} ({name}): has {count} parameter words, expected {words} (or {words + 1} with format 1.2's requantization stride word)",
                e.Message);
            Assert.Equal(OpRecord(b, op) + 12, e.Offset);
        }

        [Fact]
        public void Load_StrideWordOnOpWithoutTables_CountRejected()
        {
            var b = Packed().Blob;
            LittleEndian.WriteInt32(b, OpRecord(b, 2) + 12, 9); // MAX_POOL_2D: 8 words, no stride word
            var e = Rejects(b);
            Assert.Contains("operator 2 (MAX_POOL_2D): has 9 parameter words, expected 8", e.Message);
            Assert.DoesNotContain("stride", e.Message);
        }

        [Fact]
        public void Load_PerChannelOpGivenAFourteenthWord_ReadsTheNextOpsWordAndRejectsIt()
        {
            // CONV_2D's words are followed by DEPTHWISE_CONV_2D's, whose first is stride_h = 2.
            var b = Packed().Blob;
            LittleEndian.WriteInt32(b, OpRecord(b, Conv) + 12, 14);
            var e = Rejects(b);
            Assert.Contains("operator 0 (CONV_2D): requantization stride 2 is neither 0", e.Message);
        }

        [Theory]
        [InlineData(7)] // the stride word dropped
        [InlineData(8)] // the stride word set to 1
        public void Load_SharedTablesReadPerChannel_Rejected(int count)
        {
            // The FULLY_CONNECTED's one-entry shift table is the last block of CONSTANTS (16 bytes with padding):
            // five entries run past the section, or the multiplier table's entry 4 reads that (negative) shift.
            var r = Packed();
            var b = r.Blob;
            Assert.True(r.Graph.Operators[FullyConnected].Shifts[0] < 0);
            LittleEndian.WriteInt32(b, OpRecord(b, FullyConnected) + 12, count);
            if (count == 8) LittleEndian.WriteInt32(b, WordAt(b, FullyConnected, 7), 1);
            var e = Rejects(b);
            Assert.Contains("operator 6 (FULLY_CONNECTED): ", e.Message);
            Assert.Matches(@"multiplier -\d+ of channel 4 is out of range|shift table at \d+ \(5 entries\) lies outside CONSTANTS", e.Message);
        }

        [Fact]
        public void Load_SharedTableOutsideConstants_Rejected()
        {
            var b = Packed().Blob;
            int constantsEnd = Section(b, BlobFormat.SectionConstants) + LittleEndian.ReadInt32(b, 64 + 16 * 7 + 8);
            Assert.Equal(BlobFormat.SectionConstants, LittleEndian.ReadInt32(b, 64 + 16 * 7));
            LittleEndian.WriteInt32(b, WordAt(b, Depthwise, 11), constantsEnd - 2);
            var e = Rejects(b);
            Assert.Contains($"operator 1 (DEPTHWISE_CONV_2D): multiplier table at {constantsEnd - 2} (1 entry) lies outside CONSTANTS", e.Message);
            LittleEndian.WriteInt32(b, WordAt(b, Depthwise, 11), constantsEnd);
            Assert.Contains($"multiplier table at {constantsEnd} (1 entry) lies outside CONSTANTS", Rejects(b).Message);
        }

        [Fact]
        public void Load_SharedShiftOutOfRange_Rejected()
        {
            var r = Packed();
            var b = r.Blob;
            LittleEndian.WriteInt32(b, r.Model.GetOperator(FullyConnected).ShiftStart, -32);
            Assert.Contains("operator 6 (FULLY_CONNECTED): shift -32 of channel 0 is out of range", Rejects(b).Message);
        }

        /// <summary>
        /// Every word count and stride value around the three operators' forms: each blob is rejected with a
        /// MoteFormatException or loads and invokes without any other exception.
        /// </summary>
        [Fact]
        public void Load_StrideAndCountMutations_RejectedOrInvokeSafely()
        {
            var original = Packed().Blob;
            var values = new[] { 0, 1, 2, -1, 4, 16, 65536, int.MinValue, int.MaxValue };
            int loaded = 0, rejected = 0;
            foreach (var (op, words) in new[] { (Conv, 13), (Depthwise, 13), (FullyConnected, 7) })
                for (int count = words - 1; count <= words + 2; count++)
                    foreach (int v in values)
                    {
                        var b = (byte[])original.Clone();
                        LittleEndian.WriteInt32(b, OpRecord(b, op) + 12, count);
                        LittleEndian.WriteInt32(b, WordAt(b, op, words), v); // the stride word, or the next operator's first word
                        BlobWriter.Seal(b);
                        Model m;
                        try { m = Model.Load(b); }
                        catch (MoteFormatException) { rejected++; continue; }
                        new Interpreter(m).Invoke();
                        loaded++;
                    }
            Assert.True(loaded > 0 && rejected > 0, $"{loaded} loaded, {rejected} rejected");
        }
    }
}
