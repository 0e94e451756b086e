using System;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Xunit;

namespace Mote.Runtime.Tests
{
    /// <summary>
    /// Format 1.2's requantization stride word (docs/blob-format.md §6), on blobs written by hand
    /// (<see cref="TinyBlob"/>, independent of the packer): stride 0 = one multiplier and shift shared
    /// by all channels, stride 1 or no word = one per channel; the word only in blobs declaring 1.2.
    /// </summary>
    public class SharedRequantizationTests
    {
        static void AssertComputesWeightsTimesInput(byte[] blob)
        {
            var it = new Interpreter(Model.Load(blob));
            it.GetInput(0).SetInt8(0, 5);
            it.GetInput(0).SetInt8(1, -4);
            it.Invoke();
            // [[1, 2], [3, -1]] x (5, -4) = (-3, 19), both channels requantized by 0.5 x 2^1 = 1.
            Assert.Equal(-3, it.GetOutput(0).GetInt8(0));
            Assert.Equal(19, it.GetOutput(0).GetInt8(1));
        }

        [Fact]
        public void Load_SharedEntry_BothChannelsUseEntryZero()
        {
            // The shared form stores the shift right after the one multiplier: a kernel that read
            // entry 1 for channel 1 would take the shift (1) as its multiplier and output 0.
            var tiny = new TinyBlob { MinorVersion = 2, RequantStride = 0 };
            var blob = tiny.Build();
            Assert.Equal(tiny.MultipliersAt + 4, tiny.ShiftsAt);
            var m = Model.Load(blob);
            var op = m.GetOperator(0);
            Assert.Equal(8, op.ParamCount);
            Assert.Equal(0, ((FullyConnectedParams)op.Params).RequantStride);
            Assert.Equal(tiny.MultipliersAt, op.MultiplierStart);
            Assert.Equal(tiny.ShiftsAt, op.ShiftStart);
            AssertComputesWeightsTimesInput(blob);
        }

        [Fact]
        public void Load_ExplicitStrideOne_SameAsTheSevenWordForm()
        {
            var blob = new TinyBlob { MinorVersion = 2, RequantStride = 1 }.Build();
            Assert.Equal(1, ((FullyConnectedParams)Model.Load(blob).GetOperator(0).Params).RequantStride);
            AssertComputesWeightsTimesInput(blob);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        public void Load_SevenWordFormInEveryMinorVersion_PerChannel(int minor)
        {
            var blob = new TinyBlob { MinorVersion = minor }.Build();
            var m = Model.Load(blob);
            Assert.Equal(minor, m.MinorVersion);
            Assert.Equal(1, ((FullyConnectedParams)m.GetOperator(0).Params).RequantStride);
            AssertComputesWeightsTimesInput(blob);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        public void Load_StrideWordInBlobDeclaringOlderVersion_SaysWriterBug(int minor)
        {
            var e = Assert.Throws<MoteFormatException>(() => Model.Load(new TinyBlob { MinorVersion = minor, RequantStride = 0 }.Build()));
            Assert.Contains("operator 0 (FULLY_CONNECTED)", e.Message);
            Assert.Contains("requantization stride word needs format 1.2 but the blob declares 1." + minor + " (a writer bug)", e.Message);
            Assert.Equal("OPERATORS", e.Section);
        }

        [Theory]
        [InlineData(2)]
        [InlineData(-1)]
        [InlineData(int.MinValue)]
        [InlineData(int.MaxValue)]
        public void Load_StrideNeitherZeroNorOne_RejectedAtTheWord(int stride)
        {
            var tiny = new TinyBlob { MinorVersion = 2, RequantStride = stride };
            var e = Assert.Throws<MoteFormatException>(() => Model.Load(tiny.Build()));
            Assert.Contains("operator 0 (FULLY_CONNECTED)", e.Message);
            Assert.Contains("requantization stride " + stride + " is neither 0", e.Message);
            Assert.Equal(tiny.StrideWordAt, e.Offset);
        }

        [Theory]
        [InlineData(6)]
        [InlineData(9)]
        public void Load_WordCountNeitherSevenNorEight_Rejected(int count)
        {
            var tiny = new TinyBlob { MinorVersion = 2, RequantStride = 0 };
            var b = tiny.Build();
            int ops = LittleEndian.ReadInt32(b, 64 + 16 + 4); // section 1: OPERATORS
            LittleEndian.WriteInt32(b, ops + 12, count);
            TinyBlob.Seal(b);
            var e = Assert.Throws<MoteFormatException>(() => Model.Load(b));
            Assert.Contains("operator 0 (FULLY_CONNECTED): has " + count + " parameter words, expected 7 (or 8 with format 1.2's requantization stride word)", e.Message);
        }

        [Fact]
        public void Load_OneEntryTableAtTheEndReadPerChannel_RunsPastConstants()
        {
            // CONSTANTS is 32 bytes from the weights (MultipliersAt - 16). A one-entry shift table in its last
            // word is inside with stride 0 and runs past the section with stride 1 (two entries).
            var tiny = new TinyBlob { MinorVersion = 2, RequantStride = 1 };
            var b = tiny.Build();
            int shiftTableWord = tiny.StrideWordAt - 4; // parameter word 6
            int lastWord = tiny.MultipliersAt - 16 + 28;
            LittleEndian.WriteInt32(b, lastWord, 1);
            LittleEndian.WriteInt32(b, shiftTableWord, lastWord);
            TinyBlob.Seal(b);
            var e = Assert.Throws<MoteFormatException>(() => Model.Load(b));
            Assert.Contains("operator 0 (FULLY_CONNECTED): shift table at " + lastWord + " (2 entries) lies outside CONSTANTS", e.Message);
            Assert.Equal(shiftTableWord, e.Offset);

            LittleEndian.WriteInt32(b, tiny.StrideWordAt, 0);
            TinyBlob.Seal(b);
            Assert.Equal(0, ((FullyConnectedParams)Model.Load(b).GetOperator(0).Params).RequantStride);
            AssertComputesWeightsTimesInput(b);
        }

        [Fact]
        public void Load_SharedShiftOutOfRange_Rejected()
        {
            var tiny = new TinyBlob { MinorVersion = 2, RequantStride = 0 };
            var b = tiny.Build();
            LittleEndian.WriteInt32(b, tiny.ShiftsAt, 31);
            TinyBlob.Seal(b);
            var e = Assert.Throws<MoteFormatException>(() => Model.Load(b));
            Assert.Contains("operator 0 (FULLY_CONNECTED): shift 31 of channel 0 is out of range", e.Message);
        }

        [Fact]
        public void Invoke_SharedEntry_AllocatesNothing()
        {
            var it = new Interpreter(Model.Load(new TinyBlob { MinorVersion = 2, RequantStride = 0 }.Build()));
            it.Invoke();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) it.Invoke();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
