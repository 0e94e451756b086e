using System;
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
    /// Issue 9's element-wise variants through writer, loader and interpreter: int16 ADD, SUB
    /// (int8 and int16) and int16 LEAKY_RELU, with parameters from <see cref="TfliteQuantMath"/>
    /// (TFLM's Prepare math) and outputs computed by hand. The loader must reject parameter words
    /// the int16 kernels cannot take and mixed element types.
    /// </summary>
    public class BlobInt16ElementwiseTests
    {
        static PackTensor Tensor(PackGraph g, string name, int dtype, float scale, int zp, params int[] shape) =>
            g.AddTensor(new PackTensor { DataType = dtype, Shape = shape, Scales = new[] { scale }, ZeroPoint = zp, Name = name });

        static void Op(PackGraph g, int code, PackTensor[] ins, PackTensor o, int[] words) =>
            g.Operators.Add(new PackOperator { Code = code, Inputs = Array.ConvertAll(ins, t => t.Index), Outputs = new[] { o.Index }, Params = words });

        static int[] Words(AddParams p) => new[]
        {
            p.LeftShift, p.Input1Offset, p.Input1Multiplier, p.Input1Shift, p.Input2Offset, p.Input2Multiplier, p.Input2Shift,
            p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActivationMin, p.ActivationMax,
        };

        /// <summary>
        /// int16 x [1,1,2,2] (scale 0.5) and y [2] (scale 0.25), zero points 0:
        /// a = ADD(x, y) at scale 0.5, s = SUB(a, y) at scale 0.5, out = LEAKY_RELU(s, alpha 0.25) at scale 0.25,
        /// mul = MUL(out, y) at scale 1/16. Operators 0, 1, 2, 3; outputs out and mul.
        /// </summary>
        static PackGraph Int16Graph(PackTensor[] keep = null)
        {
            var g = new PackGraph { SourceName = "test-graph-int16" };
            var x = Tensor(g, "x", DataType.Int16, 0.5f, 0, 1, 1, 2, 2);
            var y = Tensor(g, "y", DataType.Int16, 0.25f, 0, 2);
            var a = Tensor(g, "a", DataType.Int16, 0.5f, 0, 1, 1, 2, 2);
            var s = Tensor(g, "s", DataType.Int16, 0.5f, 0, 1, 1, 2, 2);
            var o = Tensor(g, "out", DataType.Int16, 0.25f, 0, 1, 1, 2, 2);
            var m = Tensor(g, "mul", DataType.Int16, 0.0625f, 0, 1, 1, 2, 2);
            g.Inputs = new[] { x.Index, y.Index };
            g.Outputs = new[] { o.Index, m.Index };
            var ap = new AddParams();
            TfliteQuantMath.Add(0.5f, 0, 0.25f, 0, 0.5f, 0, TfliteQuantMath.ActivationNone, DataType.Int16, ap);
            Op(g, OpCode.Add, new[] { x, y }, a, Words(ap));
            var sp = new AddParams();
            TfliteQuantMath.Sub(0.5f, 0, 0.25f, 0, 0.5f, 0, TfliteQuantMath.ActivationNone, DataType.Int16, sp);
            Op(g, OpCode.Sub, new[] { a, y }, s, Words(sp));
            var lp = new LeakyReluParams();
            TfliteQuantMath.LeakyRelu(0.5f, 0, 0.25f, 0.25f, 0, lp);
            Op(g, OpCode.LeakyRelu, new[] { s }, o, new[] { lp.InputOffset, lp.OutputOffset, lp.IdentityMultiplier, lp.IdentityShift, lp.AlphaMultiplier, lp.AlphaShift });
            var mp = new MulParams();
            TfliteQuantMath.Mul(0.25f, 0, 0.25f, 0, 0.0625f, 0, TfliteQuantMath.ActivationNone, DataType.Int16, mp);
            Op(g, OpCode.Mul, new[] { o, y }, m, new[] { mp.Input1Offset, mp.Input2Offset, mp.OutputOffset, mp.OutputMultiplier, mp.OutputShift, mp.ActivationMin, mp.ActivationMax });
            return g;
        }

        static byte[] Int16Blob() => Packer.Finish(Int16Graph(), 0).Blob;

        static byte[] I16(params int[] v)
        {
            var b = new byte[2 * v.Length];
            for (int i = 0; i < v.Length; i++) LittleEndian.WriteUInt16(b, 2 * i, v[i]);
            return b;
        }

        static int[] ReadI16(byte[] b)
        {
            var v = new int[b.Length / 2];
            for (int i = 0; i < v.Length; i++) v[i] = LittleEndian.ReadInt16(b, 2 * i);
            return v;
        }


        static int WordAt(byte[] b, int op, int word)
        {
            int rec = Section(b, BlobFormat.SectionOperators) + BlobFormat.OperatorRecordSize * op;
            return Section(b, BlobFormat.SectionParams) + 4 * (LittleEndian.ReadInt32(b, rec + 8) + word);
        }

        [Fact]
        public void Invoke_Int16AddSubLeakyRelu_MatchesHandComputation()
        {
            // Params (TFLM Prepare): ADD/SUB left shift 15, input multipliers 0.5 -> (2^30, 0) and
            // 0.25 -> (2^30, -1), output 1 / (2^15 * 0.5) = 2^-14 -> (2^30, -13): out = round(x1 +- x2 / 2),
            // halves away from zero. LEAKY_RELU identity 0.5 / 0.25 = 2 -> (2^30, 2), alpha
            // 0.5 * 0.25 / 0.25 = 0.5 -> (2^30, 0) (SaturatingRoundingDoublingHighMul rounds -x.5 up).
            // y [2] broadcasts along the last dimension: channel 0 gets 2, channel 1 gets -3.
            //  x        a = x + y/2            s = a - y/2              out
            //  100      100 + 1 = 101          101 - 1 = 100            200
            //  -100     -100 - 1.5 -> -102     -102 + 1.5 = -100.5 -> -101   -50.5 -> -50
            //  7        7 + 1 = 8              8 - 1 = 7                14
            //  30000    30000 - 1.5 -> 29999   29999 + 1.5 -> 30001     60002 -> 32767
            var it = new Interpreter(Model.Load(Int16Blob()));
            it.GetInput(0).CopyFrom(I16(100, -100, 7, 30000), 0);
            it.GetInput(1).CopyFrom(I16(2, -3), 0);
            it.Invoke();
            var output = new byte[8];
            it.GetOutput(0).CopyTo(output, 0);
            Assert.Equal(new[] { 200, -50, 14, 32767 }, ReadI16(output));
            // MUL: 0.25 * 0.25 / 0.0625 = 1 -> (2^30, 1), an exact identity on the product:
            // 200 * 2, -50 * -3, 14 * 2, 32767 * -3 -> 400, 150, 28, -32768 (saturated).
            it.GetOutput(1).CopyTo(output, 0);
            Assert.Equal(new[] { 400, 150, 28, -32768 }, ReadI16(output));
        }

        [Fact]
        public void Load_Int16Graph_RecordsElementTypesAndOpNames()
        {
            var m = Model.Load(Int16Blob());
            Assert.Equal("ADD", m.GetOperator(0).Name);
            Assert.Equal("SUB", m.GetOperator(1).Name);
            Assert.Equal(OpCode.Sub, m.GetOperator(1).Code);
            Assert.Equal(DataType.Int16, ((AddParams)m.GetOperator(0).Params).ElementType);
            Assert.Equal(15, ((AddParams)m.GetOperator(1).Params).LeftShift);
            Assert.Equal(DataType.Int16, ((LeakyReluParams)m.GetOperator(2).Params).ElementType);
            Assert.Equal(DataType.Int16, ((MulParams)m.GetOperator(3).Params).ElementType);
        }

        [Fact]
        public void Invoke_Int8SubWithReluAndBroadcast_MatchesHandComputation()
        {
            // x int8 [1,2,2] scale 0.5 zp 2, y int8 [2] scale 0.25 zp -1, out scale 0.5 zp 10, fused RELU:
            // activation min = 10 + round(0 / 0.5) = 10. out = clamp(10 + round((x - 2) - (y + 1) / 2), 10, 127).
            //  (6, 3): 4 - 2 = 2 -> 12;  (3, 0): 1 - 0.5 -> 1 -> 11;  (1, 3): -1 - 2 = -3 -> 7 -> 10;
            //  (127, 0): 125 - 0.5 -> 125 -> 135 -> 127.
            var g = new PackGraph { SourceName = "test-graph-sub-int8" };
            var x = Tensor(g, "x", DataType.Int8, 0.5f, 2, 1, 2, 2);
            var y = Tensor(g, "y", DataType.Int8, 0.25f, -1, 2);
            var o = Tensor(g, "out", DataType.Int8, 0.5f, 10, 1, 2, 2);
            g.Inputs = new[] { x.Index, y.Index };
            g.Outputs = new[] { o.Index };
            var sp = new AddParams();
            TfliteQuantMath.Sub(0.5f, 2, 0.25f, -1, 0.5f, 10, TfliteQuantMath.ActivationRelu, DataType.Int8, sp);
            Assert.Equal(20, sp.LeftShift);
            Op(g, OpCode.Sub, new[] { x, y }, o, Words(sp));
            var it = new Interpreter(Model.Load(Packer.Finish(g, 0).Blob));
            it.GetInput(0).CopyFrom(new byte[] { 6, 3, 1, 127 }, 0);
            it.GetInput(1).CopyFrom(new byte[] { 3, 0 }, 0);
            it.Invoke();
            var output = new byte[4];
            it.GetOutput(0).CopyTo(output, 0);
            Assert.Equal(new sbyte[] { 12, 11, 10, 127 }, Array.ConvertAll(output, v => (sbyte)v));
        }

        [Fact]
        public void Invoke_Int16GraphRepeated_AllocatesNothing()
        {
            var it = new Interpreter(Model.Load(Int16Blob()));
            it.GetInput(0).CopyFrom(I16(1, 2, 3, 4), 0);
            it.GetInput(1).CopyFrom(I16(5, 6), 0);
            it.Invoke();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) it.Invoke();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        static MoteFormatException Rejects(byte[] blob)
        {
            BlobWriter.Seal(blob);
            return Assert.Throws<MoteFormatException>(() => Model.Load(blob));
        }

        [Theory]
        [InlineData(0, 0, 16, "left shift 16 outside 0..15")]
        [InlineData(0, 1, 1, "int16 zero points must be 0")]
        [InlineData(1, 4, -1, "int16 zero points must be 0")]
        [InlineData(1, 7, 3, "int16 zero points must be 0")]
        [InlineData(1, 8, -5, "multiplier or shift out of range")]
        [InlineData(0, 10, -32769, "not inside [-32768, 32767]")]
        [InlineData(1, 11, 32768, "not inside [-32768, 32767]")]
        [InlineData(2, 0, 32769, "out of int16 range")]
        [InlineData(2, 1, -32769, "out of int16 range")]
        [InlineData(2, 4, int.MinValue, "alpha multiplier")]
        [InlineData(3, 0, 1, "int16 zero points must be 0")]
        [InlineData(3, 2, -1, "int16 zero points must be 0")]
        [InlineData(3, 6, 40000, "not inside [-32768, 32767]")]
        public void Load_CorruptedInt16ParameterWord_RejectedNamingOperator(int op, int word, int value, string expected)
        {
            var b = Int16Blob();
            LittleEndian.WriteInt32(b, WordAt(b, op, word), value);
            var e = Rejects(b);
            Assert.Contains($"operator {op} ({new[] { "ADD", "SUB", "LEAKY_RELU", "MUL" }[op]})", e.Message);
            Assert.Contains(expected, e.Message);
        }

        [Fact]
        public void Finish_Int16AddWithInt8SecondInput_RejectedByTheLoader()
        {
            var g = Int16Graph();
            // y becomes int8 (its byte size halves; the writer records it consistently).
            g.Tensors[1].DataType = DataType.Int8;
            var e = Assert.Throws<PackException>(() => Packer.Finish(g, 0));
            Assert.Contains("input 2 tensor 1 is int8, expected int16", e.Message);
        }

        [Fact]
        public void Finish_Int64Add_RejectedByTheLoaderNamingTheType()
        {
            var g = Int16Graph();
            for (int t = 0; t < 3; t++) g.Tensors[t].DataType = DataType.Int64;
            var e = Assert.Throws<PackException>(() => Packer.Finish(g, 0));
            Assert.Contains("operator 0 (ADD)", e.Message);
            Assert.Contains("is int64", e.Message);
        }

        /// <summary>
        /// Random parameter words, dimensions and indices in the int16 graph (resealed): each blob is
        /// rejected with MoteFormatException or loads and invokes without exception.
        /// </summary>
        [Fact]
        public void Load_FuzzedInt16Graph_RejectedOrInvokeSafely()
        {
            var original = Int16Blob();
            int paramsStart = Section(original, BlobFormat.SectionParams);
            int paramsWords = LittleEndian.ReadInt32(original, 64 + 16 * 3 + 12);
            int tensors = Section(original, BlobFormat.SectionTensors);
            int tensorCount = LittleEndian.ReadInt32(original, 64 + 12);
            int[] interesting = { 0, 1, -1, 2, 4, 15, 16, 31, -31, 32, 127, -128, 32767, -32768, 32768, 1 << 30, int.MaxValue, int.MinValue };
            var rng = new Random(9090);
            int loaded = 0, rejected = 0;
            for (int iter = 0; iter < 1500; iter++)
            {
                var b = (byte[])original.Clone();
                for (int e = 1 + rng.Next(3); e > 0; e--)
                {
                    int value = rng.Next(3) == 0 ? rng.Next(-300, 300) : interesting[rng.Next(interesting.Length)];
                    if (rng.Next(3) > 0) LittleEndian.WriteInt32(b, paramsStart + 4 * rng.Next(paramsWords), value);
                    else LittleEndian.WriteInt32(b, tensors + 64 * rng.Next(tensorCount) + 4 + 4 * rng.Next(6), rng.Next(-1, 5));
                }
                BlobWriter.Seal(b);
                Model m;
                try { m = Model.Load(b); }
                catch (MoteFormatException) { rejected++; continue; }
                try { new Interpreter(m).Invoke(); loaded++; }
                catch (Exception ex) { throw new Exception($"iteration {iter}: a blob that loaded failed in Invoke: {ex}", ex); }
            }
            Assert.True(loaded > 0 && rejected > 0, $"degenerate fuzz mix: {loaded} loaded, {rejected} rejected");
        }
    }
}
