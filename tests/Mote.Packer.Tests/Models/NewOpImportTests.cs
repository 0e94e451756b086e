using System;
using Mote.Runtime;
using Mote.Runtime.Format;
using Mote.Packer.Tests.Tflite;
using Xunit;
using static Mote.Packer.Tests.Tflite.FbTestWriter;

namespace Mote.Packer.Tests.Models
{
    /// <summary>
    /// Format 1.1's ops through the TFLite importer on hand-built single-op models: what TFLite Micro's
    /// Prepare refuses is refused naming the operator, and TFLM's quirks (which it accepts) are accepted.
    /// </summary>
    public class NewOpImportTests
    {
        internal const string File = "single-op.tflite";

        /// <summary>A tensor of the hand-built model: shape, TFLite type (9 int8, 2 int32, 0 float32), quantization, constant data.</summary>
        internal sealed record Tensor(int[] Shape, sbyte Type = 9, float Scale = 0.1f, long ZeroPoint = 0, byte[] Data = null);

        /// <summary>
        /// One operator (builtin code, options type and table) over <paramref name="tensors"/>; the subgraph's inputs are
        /// the operator's non-constant inputs and its output is the operator's output.
        /// </summary>
        internal static byte[] SingleOp(int builtin, Tensor[] tensors, int[] inputs, int output, byte optionsType = 0, Table options = null)
        {
            var tensorTables = new Table[tensors.Length];
            var buffers = new System.Collections.Generic.List<Node> { T() };
            var graphInputs = new System.Collections.Generic.List<int>();
            for (int i = 0; i < tensors.Length; i++)
            {
                var t = tensors[i];
                var table = T().Set(0, Ints(t.Shape)).Set(1, new I8(t.Type)).Set(3, S("t" + i));
                if (t.Type != 2) table.Set(4, T().Set(2, Floats(t.Scale)).Set(3, Longs(t.ZeroPoint)));
                if (t.Data != null)
                {
                    table.Set(2, new U32((uint)buffers.Count));
                    buffers.Add(T().Set(0, Bytes(t.Data)));
                }
                tensorTables[i] = table;
            }
            foreach (int k in inputs)
                if (k >= 0 && tensors[k].Data == null) graphInputs.Add(k);
            var op = T().Set(0, new U32(0)).Set(1, Ints(inputs)).Set(2, Ints(output));
            if (options != null) op.Set(3, new U8(optionsType)).Set(4, options);
            var subgraph = T().Set(0, Refs(tensorTables)).Set(1, Ints(graphInputs.ToArray())).Set(2, Ints(output)).Set(3, Refs(op)).Set(4, S("main"));
            var opCode = T().Set(0, new I8((sbyte)Math.Min(builtin, 127))).Set(2, new I32(1)).Set(3, new I32(builtin));
            var root = T().Set(0, new U32(3)).Set(1, Refs(opCode)).Set(2, Refs(subgraph)).Set(4, Refs(buffers.ToArray()));
            return new FbTestWriter().Finish(root, "TFL3");
        }

        static byte[] Int32s(params int[] v)
        {
            var b = new byte[4 * v.Length];
            for (int i = 0; i < v.Length; i++) BitConverter.GetBytes(v[i]).CopyTo(b, 4 * i);
            return b;
        }

        static PackException Refused(byte[] tflite, string operatorName)
        {
            var e = Assert.Throws<PackException>(() => Packer.PackTflite(tflite, File));
            Assert.Contains(File, e.Message);
            Assert.Contains($"operator 0 ({operatorName})", e.Message);
            return e;
        }

        static int[] Run(PackResult packed, params int[] input)
        {
            var it = new Interpreter(Model.Load(packed.Blob));
            var bytes = new byte[input.Length];
            for (int i = 0; i < input.Length; i++) bytes[i] = unchecked((byte)(sbyte)input[i]);
            it.GetInput(0).CopyFrom(bytes, 0);
            it.Invoke();
            var o = it.GetOutput(0);
            var r = new int[o.Bytes];
            for (int i = 0; i < r.Length; i++) r[i] = o.GetInt8(i);
            return r;
        }

        const int Concatenation = 2, Logistic = 14, Mul = 18, Relu6 = 21, Tanh = 28, Pad = 34, Squeeze = 43, PadV2 = 60, Quantize = 114;

        [Theory]
        [InlineData(0.2f, -45, "has scale 0.2 and zero point -45")]
        [InlineData(0.1f, -44, "has scale 0.1 and zero point -44")]
        public void Pack_ConcatenationInputQuantizationDiffersFromOutput_RefusedLikeTflm(float scale1, long zp1, string expected)
        {
            var model = SingleOp(Concatenation,
                new[] { new Tensor(new[] { 1, 3 }, Scale: 0.1f, ZeroPoint: -45), new Tensor(new[] { 1, 2 }, Scale: scale1, ZeroPoint: zp1),
                    new Tensor(new[] { 1, 5 }, Scale: 0.1f, ZeroPoint: -45) },
                new[] { 0, 1 }, 2, 10, T().Set(0, new I32(1)));
            var e = Refused(model, "CONCATENATION");
            Assert.Contains("input 1", e.Message);
            Assert.Contains(expected, e.Message);
            Assert.Contains("share the output's quantization", e.Message);
        }

        [Fact]
        public void Pack_ConcatenationWithFusedActivation_Refused()
        {
            var model = SingleOp(Concatenation,
                new[] { new Tensor(new[] { 2 }), new Tensor(new[] { 2 }), new Tensor(new[] { 4 }) },
                new[] { 0, 1 }, 2, 10, T().Set(0, new I32(0)).Set(1, new I8(1)));
            Assert.Contains("requires NONE", Refused(model, "CONCATENATION").Message);
        }

        [Fact]
        public void Pack_ConcatenationNegativeAxisWithConstantInput_RunsAsByteCopy()
        {
            // axis -1 of [2,1] (input) and [2,2] (constant 5 6 / 7 8) -> [2,3].
            var model = SingleOp(Concatenation,
                new[] { new Tensor(new[] { 2, 1 }), new Tensor(new[] { 2, 2 }, Data: new byte[] { 5, 6, 7, 8 }), new Tensor(new[] { 2, 3 }) },
                new[] { 0, 1 }, 2, 10, T().Set(0, new I32(-1)));
            var packed = Packer.PackTflite(model, File);
            Assert.Equal(OpCode.Concatenation, packed.Model.GetOperator(0).Code);
            Assert.Equal(new[] { 1, 5, 6, -2, 7, 8 }, Run(packed, 1, -2));
        }

        [Fact]
        public void Pack_LogisticOutputZeroPointNotMinus128_Refused()
        {
            var model = SingleOp(Logistic, new[] { new Tensor(new[] { 4 }), new Tensor(new[] { 4 }, Scale: 1f / 256, ZeroPoint: 0) }, new[] { 0 }, 1);
            Assert.Contains("requires -128", Refused(model, "LOGISTIC").Message);
        }

        [Fact]
        public void Pack_TanhWithUnusualOutputQuantization_AcceptedAsTflmDoes()
        {
            // TFLM's TANH Prepare checks no output quantization and always computes at 1/128, zero point 0.
            // Input scale 1/16: input 16 is tanh(1) = 0.7616 -> 97 regardless of the output tensor's 0.5, 3.
            var model = SingleOp(Tanh, new[] { new Tensor(new[] { 2 }, Scale: 0.0625f), new Tensor(new[] { 2 }, Scale: 0.5f, ZeroPoint: 3) }, new[] { 0 }, 1);
            Assert.Equal(new[] { 97, 0 }, Run(Packer.PackTflite(model, File), 16, 0));
        }

        [Fact]
        public void Pack_Relu6WithDifferentOutputScale_ClampsOnInputScaleAsTflmDoes()
        {
            // Input scale 0.5 zp 0 -> clamp to [0, 12] in input steps; the output's 0.1, -128 are ignored.
            var model = SingleOp(Relu6, new[] { new Tensor(new[] { 3 }, Scale: 0.5f), new Tensor(new[] { 3 }, Scale: 0.1f, ZeroPoint: -128) }, new[] { 0 }, 1);
            Assert.Equal(new[] { 0, 5, 12 }, Run(Packer.PackTflite(model, File), -7, 5, 100));
        }

        [Fact]
        public void Pack_QuantizeFromFloat_QuantizesLikeAffineQuantize()
        {
            // Output scale 0.5, zero point 3: 1.25 -> 2.5 -> 3 (halves away from zero) + 3 = 6; -1.25 -> -3 + 3 = 0;
            // 100 -> 200 + 3 -> 127; -0.2 -> -0.4 -> 0 + 3 = 3.
            var model = SingleOp(Quantize, new[] { new Tensor(new[] { 4 }, Type: 0), new Tensor(new[] { 4 }, Scale: 0.5f, ZeroPoint: 3) }, new[] { 0 }, 1);
            var it = new Interpreter(Model.Load(Packer.PackTflite(model, File).Blob));
            var input = new byte[16];
            float[] values = { 1.25f, -1.25f, 100f, -0.2f };
            for (int i = 0; i < 4; i++) BitConverter.GetBytes(values[i]).CopyTo(input, 4 * i);
            it.GetInput(0).CopyFrom(input, 0);
            it.Invoke();
            var o = it.GetOutput(0);
            Assert.Equal(new[] { 6, 0, 127, 3 }, new[] { o.GetInt8(0), o.GetInt8(1), o.GetInt8(2), o.GetInt8(3) });
        }

        [Fact]
        public void Pack_QuantizeInt32ToInt32_RefusedAsTflmHasNoSuchPath()
        {
            var model = SingleOp(Quantize, new[] { new Tensor(new[] { 4 }, Type: 2), new Tensor(new[] { 4 }, Type: 2) }, new[] { 0 }, 1);
            Assert.Contains("QUANTIZE from int32 to int32 is not supported", Refused(model, "QUANTIZE").Message);
        }

        [Fact]
        public void Pack_MulWithFiveDimensions_Refused()
        {
            var shape = new[] { 1, 1, 1, 2, 2 };
            var model = SingleOp(Mul, new[] { new Tensor(shape), new Tensor(shape), new Tensor(shape) }, new[] { 0, 1 }, 2);
            Assert.Contains("up to 4 dimensions", Refused(model, "MUL").Message);
        }

        [Fact]
        public void Pack_MulOutputNotTheBroadcastShape_Refused()
        {
            var model = SingleOp(Mul, new[] { new Tensor(new[] { 1, 4 }), new Tensor(new[] { 1, 1 }), new Tensor(new[] { 2, 4 }) }, new[] { 0, 1 }, 2);
            Assert.Contains("do not broadcast to [2,4]", Refused(model, "MUL").Message);
        }

        static Tensor Paddings(params int[] v) => new Tensor(new[] { v.Length / 2, 2 }, Type: 2, Data: Int32s(v));

        [Fact]
        public void Pack_PadNegativePaddings_Refused()
        {
            var model = SingleOp(Pad, new[] { new Tensor(new[] { 4 }), Paddings(-1, 1), new Tensor(new[] { 4 }) }, new[] { 0, 1 }, 2);
            Assert.Contains("cannot crop", Refused(model, "PAD").Message);
        }

        [Fact]
        public void Pack_PadPaddingsNotConstant_Refused()
        {
            var model = SingleOp(Pad, new[] { new Tensor(new[] { 4 }), new Tensor(new[] { 1, 2 }, Type: 2), new Tensor(new[] { 5 }) }, new[] { 0, 1 }, 2);
            Assert.Contains("requires a constant paddings", Refused(model, "PAD").Message);
        }

        [Fact]
        public void Pack_PadWithDifferentOutputZeroPoint_PadsWithOutputZeroPointAndCopiesInputBytes()
        {
            // TFLM PadEval pads with the OUTPUT zero point (here 7) and copies the input bytes unchanged,
            // even though the input's zero point is -3: a quirk Mote reproduces.
            var model = SingleOp(Pad, new[] { new Tensor(new[] { 2 }, ZeroPoint: -3), Paddings(1, 2), new Tensor(new[] { 5 }, ZeroPoint: 7) }, new[] { 0, 1 }, 2);
            Assert.Equal(new[] { 7, 10, -20, 7, 7 }, Run(Packer.PackTflite(model, File), 10, -20));
        }

        [Fact]
        public void Pack_PadV2_PadsWithConstantValue()
        {
            var model = SingleOp(PadV2,
                new[] { new Tensor(new[] { 1, 2 }, ZeroPoint: 4), Paddings(0, 0, 2, 1), new Tensor(new[] { 1 }, ZeroPoint: 4, Data: new byte[] { 0xF6 }),
                    new Tensor(new[] { 1, 5 }, ZeroPoint: 4) },
                new[] { 0, 1, 2 }, 3, 43, T());
            var packed = Packer.PackTflite(model, File);
            Assert.Equal(OpCode.Pad, packed.Model.GetOperator(0).Code);
            Assert.Equal(new[] { -10, -10, 1, 2, -10 }, Run(packed, 1, 2));
        }

        [Fact]
        public void Pack_PadV2ConstantValueQuantizationDiffers_Refused()
        {
            var model = SingleOp(PadV2,
                new[] { new Tensor(new[] { 2 }), Paddings(1, 0), new Tensor(new[] { 1 }, ZeroPoint: 1, Data: new byte[] { 3 }), new Tensor(new[] { 3 }) },
                new[] { 0, 1, 2 }, 3, 43, T());
            Assert.Contains("TFLite Micro requires them equal", Refused(model, "PADV2").Message);
        }

        [Fact]
        public void Pack_SqueezeOfDimensionNotOne_Refused()
        {
            var model = SingleOp(Squeeze, new[] { new Tensor(new[] { 1, 2, 1 }), new Tensor(new[] { 1, 2 }) }, new[] { 0 }, 1, 30, T().Set(0, Ints(1)));
            Assert.Contains("squeeze dimension 1 is not a dimension of size 1", Refused(model, "SQUEEZE").Message);
        }

        [Fact]
        public void Pack_SqueezeWithoutDims_RemovesEveryUnitDimension()
        {
            var model = SingleOp(Squeeze, new[] { new Tensor(new[] { 1, 3, 1 }), new Tensor(new[] { 3 }) }, new[] { 0 }, 1);
            var packed = Packer.PackTflite(model, File);
            Assert.Equal(OpCode.Squeeze, packed.Model.GetOperator(0).Code);
            Assert.Equal(new[] { 4, -5, 6 }, Run(packed, 4, -5, 6));
        }

        const int Mean = 40, HardSwish = 117;

        [Fact]
        public void Pack_MeanNegativeAndDuplicateAxesWithoutKeepDims_AveragesOverTheLastAxis()
        {
            // axis [-1, 1] on [2,2] = axis 1 once; keep_dims false -> [2]. Equal quantization:
            // (3 + 6) / 2 = 4.5 -> 5 (rounds half up), (-2 + -3) / 2 = -2.5 -> -2.
            var model = SingleOp(Mean, new[] { new Tensor(new[] { 2, 2 }), new Tensor(new[] { 2 }, Type: 2, Data: Int32s(-1, 1)), new Tensor(new[] { 2 }) },
                new[] { 0, 1 }, 2, 27, T().Set(0, new U8(0)));
            var packed = Packer.PackTflite(model, File);
            Assert.Equal(OpCode.Mean, packed.Model.GetOperator(0).Code);
            Assert.Equal(new[] { 5, -2 }, Run(packed, 3, 6, -2, -3));
        }

        [Fact]
        public void Pack_MeanOutputShapeNotTheReducedShape_Refused()
        {
            var model = SingleOp(Mean, new[] { new Tensor(new[] { 2, 2 }), new Tensor(new[] { 1 }, Type: 2, Data: Int32s(0)), new Tensor(new[] { 2 }) },
                new[] { 0, 1 }, 2, 27, T().Set(0, new U8(1)));
            Assert.Contains("should be [1,2]", Refused(model, "MEAN").Message);
        }

        [Fact]
        public void Pack_MeanAxisOutsideRank_Refused()
        {
            var model = SingleOp(Mean, new[] { new Tensor(new[] { 2, 2 }), new Tensor(new[] { 1 }, Type: 2, Data: Int32s(2)), new Tensor(new[] { 2 }) },
                new[] { 0, 1 }, 2);
            Assert.Contains("axis 2 is outside", Refused(model, "MEAN").Message);
        }

        [Fact]
        public void Pack_HardSwishOutputScaleTooSmall_RefusedLikeTflmPrepare()
        {
            // (1 / 128) / 2^-10 = 8: output exponent 4 > 0, which TFLM's HardSwishPrepare rejects.
            var model = SingleOp(HardSwish, new[] { new Tensor(new[] { 4 }, Scale: 1f), new Tensor(new[] { 4 }, Scale: 1f / 1024) }, new[] { 0 }, 1);
            var e = Refused(model, "HARD_SWISH");
            Assert.Contains("quantization parameters are out of range", e.Message);
            Assert.Contains("output_multiplier_exponent <= 0", e.Message);
        }
    }
}
