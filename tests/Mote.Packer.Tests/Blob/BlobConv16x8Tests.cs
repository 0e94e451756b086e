using System;
using System.Linq;
using Mote.Packer.Blob;
using Mote.Packer.Graph;
using Mote.Packer.Quantization;
using Mote.Runtime;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Packer.Tests.Blob.BlobBytes;

namespace Mote.Packer.Tests.Blob
{
    /// <summary>
    /// CONV_2D 16x8 and TRANSPOSE_CONV (int8, 16x8) through writer and reader: dtype dispatch, the
    /// loader's checks of every parameter word and tensor type, and Invoke on whatever loads.
    /// </summary>
    public class BlobConv16x8Tests
    {
        static PackTensor Act(PackGraph g, string name, int dtype, float scale, int zp, params int[] shape) =>
            g.AddTensor(new PackTensor { DataType = dtype, Shape = shape, Scales = new[] { scale }, ZeroPoint = zp, Name = name });

        static PackTensor Const(PackGraph g, string name, int dtype, int[] shape, Random rng, float[] scales)
        {
            var t = new PackTensor { DataType = dtype, Shape = shape, Scales = scales, Name = name };
            t.Data = new byte[t.Bytes];
            for (int i = 0; i < t.Data.Length; i += DataType.Size(dtype))
            {
                long v = dtype == DataType.Int8 ? rng.Next(-127, 128) : dtype == DataType.Int16 ? rng.Next(-3000, 3000)
                    : dtype == DataType.Int32 ? rng.Next(-2000, 2000) : rng.Next(-300000, 300000);
                for (int k = 0; k < DataType.Size(dtype); k++) t.Data[i + k] = (byte)(v >> (8 * k));
            }
            return g.AddTensor(t);
        }

        /// <summary>
        /// int16 input [1,5,6,2] → CONV_2D 16x8 (3x3, stride 2, SAME, int64 bias, per-channel) → [1,3,3,4]
        /// → TRANSPOSE_CONV 16x8 (3x3, stride 2, SAME, int16 bias) → [1,5,6,3]; and an int8 input [1,3,3,2]
        /// → TRANSPOSE_CONV int8 (2x2, stride 2, VALID, int32 bias) → [1,6,6,2].
        /// </summary>
        public static PackGraph Graph(int seed = 3, bool perTensorConv = false)
        {
            var rng = new Random(seed);
            var g = new PackGraph { SourceName = "test-graph-16x8" };
            var x16 = Act(g, "x16", DataType.Int16, 0.001f, 0, 1, 5, 6, 2);
            var w1 = Const(g, "w1", DataType.Int8, new[] { 4, 3, 3, 2 }, rng, perTensorConv ? new[] { 0.02f } : new[] { 0.01f, 0.02f, 0.015f, 0.03f });
            var b1 = Const(g, "b1", DataType.Int64, new[] { 4 }, rng, new[] { 1e-5f });
            var c1 = Act(g, "conv16", DataType.Int16, 0.02f, 0, 1, 3, 3, 4);
            var w2 = Const(g, "w2", DataType.Int8, new[] { 3, 3, 3, 4 }, rng, new[] { 0.02f });
            var b2 = Const(g, "b2", DataType.Int16, new[] { 3 }, rng, new[] { 4e-5f });
            var t1 = Act(g, "tconv16", DataType.Int16, 0.1f, 0, 1, 5, 6, 3);
            var x8 = Act(g, "x8", DataType.Int8, 0.05f, -3, 1, 3, 3, 2);
            var w3 = Const(g, "w3", DataType.Int8, new[] { 2, 2, 2, 2 }, rng, new[] { 0.02f, 0.04f });
            var b3 = Const(g, "b3", DataType.Int32, new[] { 2 }, rng, new[] { 0.001f });
            var t2 = Act(g, "tconv8", DataType.Int8, 0.25f, 4, 1, 6, 6, 2);
            g.Inputs = new[] { x16.Index, x8.Index };
            g.Outputs = new[] { t1.Index, t2.Index };

            (int[] m, int[] s) Tables(PackTensor i, PackTensor w, PackTensor o)
            {
                int ch = o.Shape[3];
                var m = new int[ch];
                var s = new int[ch];
                TfliteQuantMath.ConvPerChannel(i.Scales[0], w.Scales, o.Scales[0], ch, m, s);
                return (m, s);
            }
            var (m1, s1) = Tables(x16, w1, c1);
            g.Operators.Add(new PackOperator
            {
                Code = OpCode.Conv2D, Inputs = new[] { x16.Index, w1.Index, b1.Index }, Outputs = new[] { c1.Index },
                Params = new[] { 2, 2, 1, 1, 1, 0, 0, 0, -32768, 32767, 1, 0, 0 }, // pads: H ((3-1)*2+3-5)/2 = 1, W ((3-1)*2+3-6)/2 = 0
                Multipliers = m1, MultiplierWord = 11, Shifts = s1, ShiftWord = 12,
            });
            // SAME pads with the output as the image: H 5: ((3-1)*2+3-5)/2 = 1; W 6: ((3-1)*2+3-6)/2 = 0.
            var (m2, s2) = Tables(c1, w2, t1);
            g.Operators.Add(new PackOperator
            {
                Code = OpCode.TransposeConv, Inputs = new[] { c1.Index, w2.Index, b2.Index }, Outputs = new[] { t1.Index },
                Params = new[] { 2, 2, 1, 0, 0, 0, 0, 32767, 0, 0 },
                Multipliers = m2, MultiplierWord = 8, Shifts = s2, ShiftWord = 9,
            });
            var (m3, s3) = Tables(x8, w3, t2);
            g.Operators.Add(new PackOperator
            {
                Code = OpCode.TransposeConv, Inputs = new[] { x8.Index, w3.Index, b3.Index }, Outputs = new[] { t2.Index },
                Params = new[] { 2, 2, 0, 0, 3, 4, -128, 127, 0, 0 },
                Multipliers = m3, MultiplierWord = 8, Shifts = s3, ShiftWord = 9,
            });
            return g;
        }

        const int Conv = 0, T16 = 1, T8 = 2;

        static byte[] Blob() => Packer.Finish(Graph(), 0).Blob;

        static MoteFormatException Rejects(byte[] blob)
        {
            BlobWriter.Seal(blob);
            return Assert.Throws<MoteFormatException>(() => Model.Load(blob));
        }


        static int WordAt(byte[] b, int op, int word)
        {
            int rec = Section(b, BlobFormat.SectionOperators) + BlobFormat.OperatorRecordSize * op;
            return Section(b, BlobFormat.SectionParams) + 4 * (LittleEndian.ReadInt32(b, rec + 8) + word);
        }

        static int TensorRecord(byte[] b, Model m, string name)
        {
            for (int t = 0; t < m.TensorCount; t++)
                if (m.GetTensor(t).Name == name) return Section(b, BlobFormat.SectionTensors) + BlobFormat.TensorRecordSize * t;
            throw new InvalidOperationException("no tensor " + name);
        }

        [Fact]
        public void Load_Graph_DispatchesOnDtypes()
        {
            var m = Model.Load(Blob());
            Assert.Equal(new[] { "CONV_2D", "TRANSPOSE_CONV", "TRANSPOSE_CONV" }, Enumerable.Range(0, 3).Select(i => m.GetOperator(i).Name));
            var conv = (ConvParams)m.GetOperator(Conv).Params;
            Assert.Equal(DataType.Int16, conv.ActivationType);
            Assert.Equal(DataType.Int64, conv.BiasType);
            var t16 = (TransposeConvParams)m.GetOperator(T16).Params;
            Assert.Equal(DataType.Int16, t16.ActivationType);
            Assert.Equal(DataType.Int16, t16.BiasType);
            Assert.Equal(1, t16.PadTop);
            var t8 = (TransposeConvParams)m.GetOperator(T8).Params;
            Assert.Equal(DataType.Int8, t8.ActivationType);
            Assert.Equal(DataType.Int32, t8.BiasType);
            Assert.Equal(new[] { 3, 4 }, new[] { t8.InputOffset, t8.OutputOffset });
        }

        /// <summary>The interpreter runs the same bits as the kernels called directly, allocates nothing, and ignores a KernelSet for 16x8.</summary>
        [Fact]
        public void Invoke_Graph_MatchesKernelsCalledDirectlyAndAllocatesNothing()
        {
            var m = Model.Load(Blob());
            var it = new Interpreter(m) { Kernels = new ThrowingKernels() };
            var rng = new Random(5);
            var in16 = new byte[it.GetInput(0).Bytes];
            var in8 = new byte[it.GetInput(1).Bytes];
            rng.NextBytes(in16);
            rng.NextBytes(in8);
            it.GetInput(0).CopyFrom(in16, 0);
            it.GetInput(1).CopyFrom(in8, 0);
            it.Invoke();
            var out16 = new byte[it.GetOutput(0).Bytes];
            var out8 = new byte[it.GetOutput(1).Bytes];
            it.GetOutput(0).CopyTo(out16, 0);
            it.GetOutput(1).CopyTo(out8, 0);

            // The same operators by hand, on private buffers.
            byte[] blob = m.Blob;
            OperatorInfo Op(int i) => m.GetOperator(i);
            int Start(int op, int k) => m.GetTensor(Op(op).Inputs[k]).Start;
            var conv = new byte[m.GetTensor(Op(Conv).Outputs[0]).Bytes];
            Conv2D16x8.Eval((ConvParams)Op(Conv).Params, in16, 0, blob, Start(Conv, 1), blob, Start(Conv, 2), blob,
                Op(Conv).MultiplierStart, Op(Conv).ShiftStart, conv, 0);
            var t16 = new byte[out16.Length];
            TransposeConv.Eval((TransposeConvParams)Op(T16).Params, conv, 0, blob, Start(T16, 1), blob, Start(T16, 2), blob,
                Op(T16).MultiplierStart, Op(T16).ShiftStart, t16, 0);
            var t8 = new byte[out8.Length];
            TransposeConv.Eval((TransposeConvParams)Op(T8).Params, in8, 0, blob, Start(T8, 1), blob, Start(T8, 2), blob,
                Op(T8).MultiplierStart, Op(T8).ShiftStart, t8, 0);
            Assert.Equal(t16, out16);
            Assert.Equal(t8, out8);
            // Not saturated away: many distinct values, few at the limits.
            var v16 = Enumerable.Range(0, out16.Length / 2).Select(k => (int)BitConverter.ToInt16(out16, 2 * k)).ToArray();
            var v8 = out8.Select(x => (int)(sbyte)x).ToArray();
            var c16 = Enumerable.Range(0, conv.Length / 2).Select(k => (int)BitConverter.ToInt16(conv, 2 * k)).ToArray();
            Assert.True(v16.Distinct().Count() > 30 && c16.Distinct().Count() > 25 && v8.Distinct().Count() > 20,
                $"degenerate outputs: {v16.Distinct().Count()}, {c16.Distinct().Count()}, {v8.Distinct().Count()} distinct values: {string.Join(",", v16)} / {string.Join(",", c16)} / {string.Join(",", v8)}");
            Assert.True(v16.Count(v => v == 32767 || v == -32768) < v16.Length / 4 && v8.Count(v => v == 127 || v == -128) < v8.Length / 4,
                $"outputs mostly saturated: {string.Join(",", v16)} / {string.Join(",", v8)}");

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++)
            {
                it.GetInput(0).CopyFrom(in16, 0);
                it.GetInput(1).CopyFrom(in8, 0);
                it.Invoke();
            }
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        /// <summary>
        /// Per-tensor weights on the 16x8 CONV_2D: the writer stores one shared (multiplier, shift) pair
        /// (requant_stride 0) and the result equals the per-channel encoding's.
        /// </summary>
        [Fact]
        public void Conv2D16x8_PerTensorWeights_SharedRequantizationGivesSameBits()
        {
            var r = Packer.Finish(Graph(perTensorConv: true), 0);
            var shared = r.Model;
            Assert.Equal(0, ((ConvParams)shared.GetOperator(Conv).Params).RequantStride);
            var perChannel = Model.Load(BlobWriter.Write(r.Graph, shareRequantization: false));
            Assert.Equal(1, ((ConvParams)perChannel.GetOperator(Conv).Params).RequantStride);
            var input = new byte[shared.GetInput(0).Bytes];
            new Random(9).NextBytes(input);
            byte[] Run(Model m)
            {
                var it = new Interpreter(m);
                it.GetInput(0).CopyFrom(input, 0);
                it.InvokeOperator(Conv);
                var o = new byte[it.GetTensor(m.GetOperator(Conv).Outputs[0]).Bytes];
                it.GetTensor(m.GetOperator(Conv).Outputs[0]).CopyTo(o, 0);
                return o;
            }
            var a = Run(shared);
            Assert.Equal(a, Run(perChannel));
            Assert.True(a.Distinct().Count() > 20);
        }

        /// <summary>A kernel set that must never be called: the only int8 CONV_2D-family op here is none.</summary>
        sealed class ThrowingKernels : KernelSet
        {
            public override void Conv2D(ConvParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
                byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, byte[] output, int outputStart) =>
                throw new InvalidOperationException("16x8 CONV_2D reached the kernel set");
        }

        [Theory]
        // CONV_2D 16x8: offsets must be 0, range inside int16, shifts <= 14.
        [InlineData(Conv, 6, 1, "zero points 0")]
        [InlineData(Conv, 7, -1, "zero points 0")]
        [InlineData(Conv, 8, -32769, "not inside [-32768, 32767]")]
        [InlineData(Conv, 9, 32768, "not inside [-32768, 32767]")]
        [InlineData(Conv, 4, 0, "leading pad 0")]
        // TRANSPOSE_CONV: stride_h, stride_w, pad_top, pad_left, input_offset, output_offset, act_min, act_max, tables
        [InlineData(T16, 0, 0, "stride 0")]
        [InlineData(T16, 2, 2, "leading pad 2 is neither 0 (VALID) nor the 1 SAME gives")]
        [InlineData(T16, 3, -1, "leading pad -1")]
        [InlineData(T16, 4, 1, "zero points 0")]
        [InlineData(T16, 7, 40000, "not inside [-32768, 32767]")]
        [InlineData(T16, 8, 3, "multiplier table")]
        [InlineData(T16, 9, 0, "shift table")]
        [InlineData(T8, 2, 1, "leading pad 1")]
        [InlineData(T8, 4, 129, "zero point offsets")]
        [InlineData(T8, 5, 128, "zero point offsets")]
        [InlineData(T8, 7, 128, "activation range")]
        public void Load_CorruptedParameterWord_RejectedNamingOperator(int op, int word, int value, string expected)
        {
            var b = Blob();
            var m = Model.Load((byte[])b.Clone());
            LittleEndian.WriteInt32(b, WordAt(b, op, word), value);
            var e = Rejects(b);
            Assert.Equal("OPERATORS", e.Section);
            Assert.Contains($"operator {op} ({m.GetOperator(op).Name})", e.Message);
            Assert.Contains(expected, e.Message);
        }

        [Theory]
        [InlineData(Conv, 15, "out of range for an int64 accumulator")]
        [InlineData(T16, 15, "out of range for an int64 accumulator")]
        [InlineData(T8, 31, "out of range")]
        public void Load_ShiftTooLarge_Rejected(int op, int shift, string expected)
        {
            var b = Blob();
            LittleEndian.WriteInt32(b, LittleEndian.ReadInt32(b, WordAt(b, op, op == Conv ? 12 : 9)), shift);
            var e = Rejects(b);
            Assert.Contains($"operator {op}", e.Message);
            Assert.Contains(expected, e.Message);
        }

        /// <summary>Tensor dtype edits that the op cannot run: the writer's verification (Model.Load) refuses them.</summary>
        [Theory]
        [InlineData("conv16", DataType.Int8, "output tensor 3 is int8, expected int16")]   // 16x8 input, int8 output
        [InlineData("w1", DataType.UInt8, "filter tensor 1 is uint8, expected int8")]
        [InlineData("b1", DataType.Int16, "bias tensor 2 is int16, expected int64 or int32")] // int16 bias is TRANSPOSE_CONV's only
        [InlineData("b2", DataType.Int8, "bias tensor 5 is int8, expected int64 or int16")]
        [InlineData("b2", DataType.Int32, "bias tensor 5 is int32, expected int64 or int16")] // TFLM would misread it as int64
        [InlineData("tconv8", DataType.Int16, "output tensor 10 is int16, expected int8")]
        [InlineData("b3", DataType.Int64, "bias tensor 9 is int64, expected int32")]
        public void Finish_WrongDtype_RejectedByVerification(string tensor, int dtype, string expected)
        {
            var g = Graph();
            var t = g.Tensors.First(x => x.Name == tensor);
            t.DataType = dtype;
            if (t.IsConstant) t.Data = new byte[t.Bytes];
            var e = Assert.Throws<PackException>(() => Packer.Finish(g, 0));
            Assert.Contains("does not verify", e.Message);
            Assert.Contains(expected, e.Message);
        }

        /// <summary>
        /// Random values in the parameter words, tensor dimensions and INDICES (resealed): every blob must be
        /// rejected with MoteFormatException or load and Invoke without any exception.
        /// Iterations: MOTE_FUZZ_ITERATIONS (default 3000).
        /// </summary>
        [Fact]
        public void Load_FuzzedParamsShapesAndIndices_RejectedOrInvokeSafely()
        {
            int[] interesting = { 0, 1, -1, 2, 3, 5, 6, 7, 14, 15, 31, -31, 32, 127, 128, -128, -129, 32767, 32768, -32769, 1 << 30, int.MaxValue, int.MinValue };
            FuzzParamsShapesAndIndices(Blob(), 1616, FuzzIterations(3000), interesting, mutateDtypes: true);
        }
    }
}
