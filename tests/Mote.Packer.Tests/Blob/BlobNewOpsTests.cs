using System;
using System.Linq;
using Mote.Packer.Blob;
using Mote.Runtime;
using Mote.Runtime.Format;
using Xunit;
using static Mote.Packer.Tests.Blob.BlobBytes;

namespace Mote.Packer.Tests.Blob
{
    /// <summary>
    /// Format 1.1's op codes (MUL .. MEAN) through writer and reader: the loader must reject every
    /// out-of-range parameter word, inconsistent shape or input count with a MoteFormatException that
    /// names the operator, so Invoke can never index outside an array.
    /// </summary>
    public class BlobNewOpsTests
    {
        static byte[] Blob() => Packer.Finish(TestGraphs.NewOps(), 0).Blob;

        static MoteFormatException Rejects(byte[] blob)
        {
            BlobWriter.Seal(blob);
            return Assert.Throws<MoteFormatException>(() => Model.Load(blob));
        }


        /// <summary>Absolute blob offset of parameter word <paramref name="word"/> of operator <paramref name="op"/>.</summary>
        static int WordAt(byte[] b, int op, int word)
        {
            int rec = Section(b, BlobFormat.SectionOperators) + BlobFormat.OperatorRecordSize * op;
            return Section(b, BlobFormat.SectionParams) + 4 * (LittleEndian.ReadInt32(b, rec + 8) + word);
        }

        // Operator order of TestGraphs.NewOps.
        const int Mul = 0, Relu = 1, LeakyRelu = 2, Concat = 3, Pad = 4, Quantize = 5, Logistic = 6, Tanh = 7, Relu6 = 8, Squeeze = 9,
            HardSwish = 10, Mean = 11;

        [Fact]
        public void Load_NewOpsGraph_ExposesTheTwelveFormat11OpCodesInACurrentVersionBlob()
        {
            var b = Blob();
            Assert.Equal(3, LittleEndian.ReadUInt16(b, BlobFormat.OffMinor)); // the writer writes the current minor version, 1.3
            var m = Model.Load(b);
            Assert.Equal(new[] { OpCode.Mul, OpCode.Relu, OpCode.LeakyRelu, OpCode.Concatenation, OpCode.Pad, OpCode.Quantize,
                    OpCode.Logistic, OpCode.Tanh, OpCode.Relu6, OpCode.Squeeze, OpCode.HardSwish, OpCode.Mean },
                Enumerable.Range(0, m.OperatorCount).Select(i => m.GetOperator(i).Code));
            Assert.Equal(new[] { "MUL", "RELU", "LEAKY_RELU", "CONCATENATION", "PAD", "QUANTIZE", "LOGISTIC", "TANH", "RELU6", "SQUEEZE",
                    "HARD_SWISH", "MEAN" },
                Enumerable.Range(0, m.OperatorCount).Select(i => m.GetOperator(i).Name));
            Assert.Equal(new[] { 5 }, m.GetOutput(0).Shape);
        }

        [Fact]
        public void Invoke_NewOpsGraphRepeated_AllocatesNothingAndIsDeterministic()
        {
            var it = new Interpreter(Model.Load(Blob()));
            var rng = new Random(11);
            var input = new byte[it.GetInput(0).Bytes];
            rng.NextBytes(input);
            it.GetInput(0).CopyFrom(input, 0);
            it.Invoke();
            var first = new byte[it.GetOutput(0).Bytes];
            it.GetOutput(0).CopyTo(first, 0);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++)
            {
                it.GetInput(0).CopyFrom(input, 0); // the plan reuses the input's bytes for later tensors
                it.Invoke();
            }
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            var again = new byte[first.Length];
            it.GetOutput(0).CopyTo(again, 0);
            Assert.Equal(first, again);
        }

        [Theory]
        // MUL: input1_offset, input2_offset, output_offset, multiplier, shift, act_min, act_max
        [InlineData(Mul, 0, 129, "zero point offsets")]
        [InlineData(Mul, 2, -129, "zero point offsets")]
        [InlineData(Mul, 3, -1, "multiplier -1")]
        [InlineData(Mul, 4, 31, "shift 31")]
        [InlineData(Mul, 4, -32, "shift -32")]
        [InlineData(Mul, 5, -129, "activation range")]
        [InlineData(Mul, 6, 128, "activation range")]
        // RELU: input_offset, output_offset, multiplier, shift, act_min, act_max
        [InlineData(Relu, 1, 128, "zero point offsets")]
        [InlineData(Relu, 2, int.MinValue, "multiplier")]
        [InlineData(Relu, 3, 40, "shift 40")]
        [InlineData(Relu, 4, 127, "activation range")] // with max set to 126 below: min > max
        // LEAKY_RELU: input_offset, output_offset, identity m, identity s, alpha m, alpha s
        [InlineData(LeakyRelu, 0, -128, "zero point offsets")]
        [InlineData(LeakyRelu, 2, -7, "identity multiplier")]
        [InlineData(LeakyRelu, 3, 31, "identity multiplier")]
        [InlineData(LeakyRelu, 4, int.MinValue, "alpha multiplier")]
        [InlineData(LeakyRelu, 5, -40, "alpha multiplier")]
        // CONCATENATION: axis
        [InlineData(Concat, 0, 4, "axis 4 is outside 0..3")]
        [InlineData(Concat, 0, -1, "axis -1 is outside 0..3")]
        [InlineData(Concat, 0, 2, "differs from output")]
        // PAD: pad value, left[5], right[5]
        [InlineData(Pad, 0, 128, "pad value 128")]
        [InlineData(Pad, 3, -1, "must not be negative")]
        [InlineData(Pad, 3, 2, "does not equal output")]
        [InlineData(Pad, 9, 1, "does not equal output")]
        [InlineData(Pad, 10, 1, "does not equal output")]
        // QUANTIZE: input_offset, output_offset, multiplier, shift
        [InlineData(Quantize, 0, 200, "is not minus an int8 zero point")]
        [InlineData(Quantize, 2, -5, "multiplier -5")]
        [InlineData(Quantize, 3, 31, "shift 31")]
        // LOGISTIC / TANH: input_offset, radius, multiplier, left shift
        [InlineData(Logistic, 0, -128, "input offset")]
        [InlineData(Logistic, 1, -1, "radius -1")]
        [InlineData(Logistic, 2, -1, "input multiplier -1")]
        [InlineData(Logistic, 3, 31, "left shift 31")]
        [InlineData(Logistic, 3, -1, "left shift -1")]
        [InlineData(Tanh, 2, int.MinValue, "input multiplier")]
        // RELU6: lower, upper
        [InlineData(Relu6, 0, 127, "activation range")]
        [InlineData(Relu6, 1, 128, "activation range")]
        // HARD_SWISH: input_offset, output_offset, output multiplier, output exponent, reluish multiplier, reluish exponent
        [InlineData(HardSwish, 1, 128, "zero point offsets")]
        [InlineData(HardSwish, 2, 32768, "output multiplier 32768")]
        [InlineData(HardSwish, 3, 1, "exponent 1")]
        [InlineData(HardSwish, 4, -1, "reluish multiplier -1")]
        [InlineData(HardSwish, 5, 32, "exponent 32")]
        // MEAN: input_offset, output_offset, multiplier, shift, axis mask
        [InlineData(Mean, 0, -200, "zero point offsets")]
        [InlineData(Mean, 2, -3, "multiplier -3")]
        [InlineData(Mean, 3, -32, "shift -32")]
        [InlineData(Mean, 4, 0b1000, "beyond the input's rank 3")]
        [InlineData(Mean, 4, -1, "axis mask")]
        [InlineData(Mean, 4, 0b010, "is not input [5,6,6] reduced")]
        public void Load_CorruptedParameterWord_RejectedNamingOperator(int op, int word, int value, string expected)
        {
            var b = Blob();
            var m = Model.Load((byte[])b.Clone());
            if (op == Relu && word == 4) LittleEndian.WriteInt32(b, WordAt(b, op, 5), 126); // make min > max
            if (op == Relu6 && word == 0) LittleEndian.WriteInt32(b, WordAt(b, op, 1), 100); // lower 127 > upper 100
            int at = WordAt(b, op, word);
            LittleEndian.WriteInt32(b, at, value);
            var e = Rejects(b);
            Assert.Equal("OPERATORS", e.Section);
            Assert.Contains($"operator {op} ({m.GetOperator(op).Name})", e.Message);
            Assert.Contains(expected, e.Message);
        }

        [Theory]
        [InlineData(Concat, 0)]
        [InlineData(Concat, 11)]
        [InlineData(Mul, 1)]
        [InlineData(Mul, 3)]
        [InlineData(Squeeze, 2)]
        public void Load_WrongInputCount_Rejected(int op, int inputs)
        {
            var b = Blob();
            int rec = Section(b, BlobFormat.SectionOperators) + BlobFormat.OperatorRecordSize * op;
            b[rec + 2] = (byte)inputs;
            var e = Rejects(b);
            Assert.Contains($"operator {op}", e.Message);
            Assert.Contains("has " + inputs + " inputs", e.Message);
        }

        [Fact]
        public void Load_NewOpCodeInBlobDeclaringVersion10_SaysWriterBug()
        {
            var b = Blob();
            LittleEndian.WriteUInt16(b, BlobFormat.OffMinor, 0);
            var e = Rejects(b);
            Assert.Contains("operator 0 (MUL)", e.Message);
            Assert.Contains("needs format 1.1 but the blob declares 1.0", e.Message);
        }

        [Fact]
        public void Load_OpCodeAboveMax_SaysUnknownToThisRuntime()
        {
            var b = Blob();
            int rec = Section(b, BlobFormat.SectionOperators) + BlobFormat.OperatorRecordSize * Squeeze;
            int unknown = 1; // the lowest code this runtime does not know (format 1.3 reserves codes it may not know yet)
            while (OpCode.ParamWords(unknown) >= 0) unknown++;
            LittleEndian.WriteUInt16(b, rec, unknown);
            var e = Rejects(b);
            Assert.Contains($"op code {unknown} is unknown to this runtime", e.Message);
        }

        /// <summary>Shape edits (byte size kept consistent) that no longer fit the op: each must be rejected.</summary>
        [Theory]
        [InlineData("concat", 3, 7, "add up to")]          // concat output [1,4,4,7]: 3 + 3 != 7
        [InlineData("pad", 2, 7, "does not equal output")] // pad output W 6 -> 7: 4 + 0 + 2 != 7
        [InlineData("mul", 1, 2, "do not broadcast")]      // mul output [1,2,4,3]: input 4 does not broadcast to 2
        [InlineData("relu", 3, 2, "different element counts")]
        [InlineData("squeeze", 0, 4, "bytes but output has")]
        [InlineData("mean", 0, 6, "reduced over axis mask")]
        public void Load_OutputShapeInconsistentWithOp_Rejected(string tensorName, int dim, int value, string expected)
        {
            var g = TestGraphs.NewOps();
            var t = g.Tensors.First(x => x.Name == tensorName);
            var shape = (int[])t.Shape.Clone();
            shape[dim] = value;
            t.Shape = shape; // the writer records the edited shape with a consistent byte size
            var e = Assert.Throws<PackException>(() => Packer.Finish(g, 0));
            Assert.Contains("does not verify", e.Message);
            Assert.Contains(expected, e.Message);
        }

        /// <summary>
        /// Random values in the new ops' parameter words, tensor dimensions and INDICES (resealed): every
        /// blob must be rejected with MoteFormatException or load and Invoke without any exception.
        /// Iterations: MOTE_FUZZ_ITERATIONS (default 3000).
        /// </summary>
        [Fact]
        public void Load_FuzzedParamsShapesAndIndices_RejectedOrInvokeSafely()
        {
            int[] interesting = { 0, 1, -1, 2, 3, 5, 6, 7, 31, -31, 32, 127, 128, -128, -129, 32767, 32768, 1 << 30, int.MaxValue, int.MinValue };
            FuzzParamsShapesAndIndices(Blob(), 4242, FuzzIterations(3000), interesting, mutateDtypes: false);
        }
    }
}
