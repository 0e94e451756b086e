using System;
using Mote.Packer.Blob;
using Mote.Packer.Tests.Models;
using Mote.Runtime;
using Mote.Runtime.Format;
using Xunit;
using static Mote.Packer.Tests.Blob.BlobBytes;

namespace Mote.Packer.Tests.Blob
{
    /// <summary>
    /// UNIDIRECTIONAL_SEQUENCE_LSTM in a blob (format 1.3): Model.Load validates its 29 parameter words,
    /// its 24 inputs and its state tensors so that no blob that loads can make the kernel read or write
    /// outside its tensors. Uses mnist_lstm_int8 (operator 0 is the LSTM).
    /// </summary>
    public class LstmBlobTests
    {
        static byte[] Blob() => (byte[])SharedModels.Pack(SharedModels.ModelPath("mnist_lstm_int8")).Blob.Clone();



        static int Record(byte[] b, int op) => Section(b, BlobFormat.SectionOperators) + BlobFormat.OperatorRecordSize * op;

        static int WordAt(byte[] b, int op, int word) => Section(b, BlobFormat.SectionParams) + 4 * (LittleEndian.ReadInt32(b, Record(b, op) + 8) + word);

        static int IndexAt(byte[] b, int op, int k) => Section(b, BlobFormat.SectionIndices) + 2 * (LittleEndian.ReadInt32(b, Record(b, op) + 4) + k);

        static MoteFormatException Rejects(byte[] blob)
        {
            BlobWriter.Seal(blob);
            return Assert.Throws<MoteFormatException>(() => Model.Load(blob));
        }

        [SkippableFact]
        public void Load_MnistLstm_PreparesTflmsParameters()
        {
            var m = Model.Load(Blob());
            var op = m.GetOperator(0);
            Assert.Equal(OpCode.UnidirectionalSequenceLstm, op.Code);
            Assert.Equal(24, op.Inputs.Length);
            Assert.Equal(29, op.ParamCount);
            var p = Assert.IsType<Mote.Runtime.Kernels.UnidirectionalSequenceLstmParams>(op.Params);
            // Input [1, 28, 28], batch major; state 20 ([1, 20] hidden state).
            Assert.False(p.TimeMajor);
            Assert.Equal((1, 28, 28, 20, 1), (p.Batches, p.TimeSteps, p.InputSize, p.StateSize, p.StepBatches));
            // Cell scale 2^-12: tanh input left shift 15 - 12 - 3 = 0 with multiplier 0 (TFLM's "power of two" case).
            Assert.Equal((0, 0), (p.CellTanhMultiplier, p.CellTanhLeftShift));
            // cell_clip 10.0 / 2^-12 = 40960 -> clamped to 32767.
            Assert.Equal(32767, p.CellClip);
            // Input zero point -128, hidden zero point 0.
            Assert.Equal((128, 0, 0), (p.InputOffset, p.HiddenOffset, p.HiddenZeroPoint));
            // forget x cell: 2^-15 * s / s = 2^-15 exactly -> (2^30, -14).
            Assert.Equal((1 << 30, -14), (p.ForgetCellMultiplier, p.ForgetCellShift));
            // input x cell gate: 2^-30 / 2^-12 = 2^-18 -> (2^30, -17).
            Assert.Equal((1 << 30, -17), (p.InputCellMultiplier, p.InputCellShift));
            Assert.False(p.CellGateSigmoid);
        }

        [SkippableTheory]
        [InlineData(0, 2, "time major")]
        [InlineData(1, 5, "cell gate activation")]
        [InlineData(2, -2, "cell clip")]
        [InlineData(2, 32768, "cell clip")]
        [InlineData(3, 3, "cell state scale power")]
        [InlineData(3, -44, "cell state scale power")]
        [InlineData(4, 129, "zero point")]
        [InlineData(6, 128, "zero point")]
        [InlineData(7, -1, "multiplier")]
        [InlineData(8, 31, "shift")]
        [InlineData(28, -32, "shift")]
        public void Load_LstmWordOutOfRange_Rejected(int word, int value, string expected)
        {
            var b = Blob();
            LittleEndian.WriteInt32(b, WordAt(b, 0, word), value);
            var e = Rejects(b);
            Assert.Contains("UNIDIRECTIONAL_SEQUENCE_LSTM", e.Message);
            Assert.Contains(expected, e.Message);
        }

        [SkippableFact]
        public void Load_PeepholeInputPresent_Rejected()
        {
            var b = Blob();
            // Input 9 (cell-to-input peephole weights) pointed at the forget gate bias.
            LittleEndian.WriteUInt16(b, IndexAt(b, 0, 9), LittleEndian.ReadUInt16(b, IndexAt(b, 0, 13)));
            Assert.Contains("input 9 must be absent", Rejects(b).Message);
        }

        [SkippableFact]
        public void Load_InputGateMissing_Rejected()
        {
            var b = Blob();
            LittleEndian.WriteUInt16(b, IndexAt(b, 0, 1), 0xFFFF);
            Assert.Contains("input 1", Rejects(b).Message);
        }

        [SkippableFact]
        public void Load_CellStateNotVariable_Rejected()
        {
            var b = Blob();
            int cell = LittleEndian.ReadInt16(b, IndexAt(b, 0, 19));
            b[Section(b, BlobFormat.SectionTensors) + BlobFormat.TensorRecordSize * cell + BlobFormat.TensorFlagsOffset] = 0;
            Assert.Contains("must be variable tensors", Rejects(b).Message);
        }

        [SkippableFact]
        public void Load_WeightsOfTheWrongShape_Rejected()
        {
            var b = Blob();
            // Recurrent-to-forget weights (input 6) are [20, 20]; swap it for an input weights tensor [20, 28].
            LittleEndian.WriteUInt16(b, IndexAt(b, 0, 6), LittleEndian.ReadUInt16(b, IndexAt(b, 0, 2)));
            Assert.Contains("expected [20, 20]", Rejects(b).Message);
        }

        /// <summary>
        /// Random values in the parameter words, tensor dimensions and INDICES (resealed): every blob must be
        /// rejected with MoteFormatException or load and Invoke without any exception.
        /// Iterations: MOTE_FUZZ_ITERATIONS (default 1500).
        /// </summary>
        [SkippableFact]
        public void Load_FuzzedLstmBlob_RejectedOrInvokeSafely()
        {
            int iterations = int.TryParse(Environment.GetEnvironmentVariable("MOTE_FUZZ_ITERATIONS"), out int n) ? n : 1500;
            var original = Blob();
            int paramsStart = Section(original, BlobFormat.SectionParams);
            int lstmWords = 29, lstmFirst = LittleEndian.ReadInt32(original, Record(original, 0) + 8);
            int tensors = Section(original, BlobFormat.SectionTensors);
            int tensorCount = SectionCount(original, BlobFormat.SectionTensors);
            int indices = IndexAt(original, 0, 0);
            int[] interesting = { 0, 1, -1, 2, 3, 4, 6, 7, 12, -12, 31, -31, 32, 127, 128, -128, -129, 32767, 32768, 1 << 30, int.MaxValue, int.MinValue };
            var rng = new Random(2727);
            int loaded = 0, rejected = 0;
            for (int iter = 0; iter < iterations; iter++)
            {
                var b = (byte[])original.Clone();
                for (int e = 1 + rng.Next(3); e > 0; e--)
                {
                    int value = rng.Next(3) == 0 ? rng.Next(-300, 300) : interesting[rng.Next(interesting.Length)];
                    switch (rng.Next(5))
                    {
                        case 0:
                        case 1: LittleEndian.WriteInt32(b, paramsStart + 4 * (lstmFirst + rng.Next(lstmWords)), value); break;
                        case 2: LittleEndian.WriteInt32(b, tensors + 64 * rng.Next(tensorCount) + 4 + 4 * rng.Next(6), rng.Next(-1, 40)); break;
                        case 3: b[tensors + 64 * rng.Next(tensorCount) + 1] = (byte)rng.Next(0, 5); break; // rank
                        default: LittleEndian.WriteUInt16(b, indices + 2 * rng.Next(25), (ushort)rng.Next(-2, tensorCount + 1)); break;
                    }
                }
                if (SealLoadInvoke(b, iter)) loaded++; else rejected++;
            }
            Assert.True(loaded > 0 && rejected > 0, $"degenerate fuzz mix: {loaded} loaded, {rejected} rejected");
        }
    }
}
