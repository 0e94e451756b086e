using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Packer.Tflite;
using Mote.Runtime;
using Mote.Runtime.Format;
using Xunit;

namespace Mote.Packer.Tests.Tflite
{
    /// <summary>
    /// TFLite CONV_2D 16x8 and TRANSPOSE_CONV through the importer, planner, writer and interpreter, on
    /// one-operator models built in code whose expected outputs are worked out by hand (the same
    /// numbers as Mote.Runtime.Tests' Conv16x8Tests: scales are chosen so that the multipliers are
    /// exactly 0.5, 1 and 2^-18), and the importer's refusals.
    /// </summary>
    public class Conv16x8ImportTests
    {
        sealed class Builder
        {
            readonly List<TfliteTensor> tensors = new();
            readonly List<TfliteBuffer> buffers = new() { new TfliteBuffer() };

            public int Tensor(string name, TensorType type, int[] shape, float[] scales = null, long zp = 0, byte[] data = null)
            {
                int buffer = 0;
                if (data != null)
                {
                    buffer = buffers.Count;
                    buffers.Add(new TfliteBuffer { Data = data });
                }
                tensors.Add(new TfliteTensor
                {
                    Name = name, Type = type, Shape = shape, Buffer = buffer,
                    Quantization = scales == null ? null : new QuantizationParameters
                    {
                        Scale = scales, ZeroPoint = Enumerable.Repeat(zp, scales.Length).ToArray(),
                    },
                });
                return tensors.Count - 1;
            }

            public TfliteModel Model(BuiltinOperator code, int[] inputs, int output, object options, int[] modelInputs)
            {
                var sub = new SubGraph
                {
                    Tensors = tensors.ToArray(), Inputs = modelInputs, Outputs = new[] { output },
                    Operators = new[] { new TfliteOperator { OpcodeIndex = 0, Inputs = inputs, Outputs = new[] { output }, BuiltinOptions = options } },
                };
                return new TfliteModel
                {
                    Version = 3, OperatorCodes = new[] { new OperatorCode { BuiltinCode = (int)code } },
                    Subgraphs = new[] { sub }, Buffers = buffers.ToArray(),
                };
            }
        }

        static byte[] Bytes<T>(T[] values, int size, Func<T, long> toLong)
        {
            var b = new byte[values.Length * size];
            for (int i = 0; i < values.Length; i++)
                for (int k = 0; k < size; k++) b[i * size + k] = (byte)(toLong(values[i]) >> (8 * k));
            return b;
        }

        static byte[] I8(params int[] v) => Bytes(v, 1, x => x);
        static byte[] I16(params int[] v) => Bytes(v, 2, x => x);
        static byte[] I32(params int[] v) => Bytes(v, 4, x => x);
        static byte[] I64(params long[] v) => Bytes(v, 8, x => x);

        static byte[] Run(TfliteModel model, byte[] input, int inputIndex = 0)
        {
            var packed = Packer.Finish(TfliteImporter.Import(model, "test.tflite"), 0);
            var it = new Interpreter(Runtime.Model.Load(packed.Blob));
            it.GetInput(inputIndex).CopyFrom(input, 0);
            it.Invoke();
            var output = new byte[it.GetOutput(0).Bytes];
            it.GetOutput(0).CopyTo(output, 0);
            return output;
        }

        /// <summary>
        /// int8 TRANSPOSE_CONV: input 1x1x3x1 (q 10, -20, 30, zero point 5), filter [2,1,3,1] (1 2 3 | -1 -1 -1,
        /// scales 0.5 and 1), bias 7, -60, output 1x1x5x2 zero point 3, SAME, stride 2 (leading pad 1).
        /// Accumulators ch0 10, -10, -50, -50, 50 and ch1 -5, 20, 25, 0, -25 (see Conv16x8Tests); + bias,
        /// x 0.5 or x 1, + 3: ch0 12, 2, -18, -18, 32; ch1 -62, -37, -32, -57, -82.
        /// </summary>
        static TfliteModel TransposeConvInt8(int[] outputShapeValues = null, bool shapeIsInput = false)
        {
            var b = new Builder();
            int shape = b.Tensor("output_shape", TensorType.INT32, new[] { 4 }, data: shapeIsInput ? null : I32(outputShapeValues ?? new[] { 1, 1, 5, 2 }));
            int filter = b.Tensor("filter", TensorType.INT8, new[] { 2, 1, 3, 1 }, new[] { 0.5f, 1f }, 0, I8(1, 2, 3, -1, -1, -1));
            int input = b.Tensor("input", TensorType.INT8, new[] { 1, 1, 3, 1 }, new[] { 1f }, 5);
            int bias = b.Tensor("bias", TensorType.INT32, new[] { 2 }, new[] { 0.5f, 1f }, 0, I32(7, -60));
            int output = b.Tensor("output", TensorType.INT8, new[] { 1, 1, 5, 2 }, new[] { 1f }, 3);
            var options = new TransposeConvOptions { Padding = Padding.SAME, StrideW = 2, StrideH = 1 };
            return b.Model(BuiltinOperator.TRANSPOSE_CONV, new[] { shape, filter, input, bias }, output, options,
                shapeIsInput ? new[] { shape, input } : new[] { input });
        }

        [Fact]
        public void TransposeConvInt8_PackAndRun_MatchesHandComputation()
        {
            var output = Run(TransposeConvInt8(), I8(10, -20, 30));
            Assert.Equal(new[] { 12, -62, 2, -37, -18, -32, -18, -57, 32, -82 }, output.Select(x => (int)(sbyte)x));
        }

        [Fact]
        public void TransposeConv_OutputShapeAsModelInput_StaysAnUnreadInput()
        {
            // As in the seanet models: output_shape is a model input that TFLM never reads.
            var packed = Packer.Finish(TfliteImporter.Import(TransposeConvInt8(shapeIsInput: true), "test.tflite"), 0);
            var m = Runtime.Model.Load(packed.Blob);
            Assert.Equal(2, m.InputCount);
            Assert.Equal(new[] { 4 }, m.GetInput(0).Shape);
            Assert.Equal(3, m.GetOperator(0).Inputs.Length); // input, filter, bias
            var it = new Interpreter(m);
            it.GetInput(0).CopyFrom(I32(9, 9, 9, 9), 0); // values are ignored, like TFLM
            it.GetInput(1).CopyFrom(I8(10, -20, 30), 0);
            it.Invoke();
            var output = new byte[10];
            it.GetOutput(0).CopyTo(output, 0);
            Assert.Equal(new[] { 12, -62, 2, -37, -18, -32, -18, -57, 32, -82 }, output.Select(x => (int)(sbyte)x));
        }

        [Fact]
        public void TransposeConv_ConstantOutputShapeDisagreeingWithOutput_Refused()
        {
            var e = Assert.Throws<PackException>(() => TfliteImporter.Import(TransposeConvInt8(new[] { 1, 1, 6, 2 }), "test.tflite"));
            Assert.Contains("operator 0 (TRANSPOSE_CONV)", e.Message);
            Assert.Contains("holds [1,1,6,2] but the output is [1,1,5,2]", e.Message);
        }

        /// <summary>
        /// 16x8 TRANSPOSE_CONV: the int8 model's numbers with int16 tensors (zero points 0, so v = q),
        /// input 5, -25, 25: accumulators as above; bias (int16) 7, -60; no output offset:
        /// ch0 (17, -3, -43, -43, 57) x 0.5 = 9, -1, -21, -21, 29 (the 64-bit rounding: halves up);
        /// ch1 -65, -40, -35, -60, -85.
        /// </summary>
        static TfliteModel TransposeConv16(TensorType biasType, long outputZeroPoint = 0)
        {
            var b = new Builder();
            int shape = b.Tensor("output_shape", TensorType.INT32, new[] { 4 }, data: I32(1, 1, 5, 2));
            int filter = b.Tensor("filter", TensorType.INT8, new[] { 2, 1, 3, 1 }, new[] { 0.5f, 1f }, 0, I8(1, 2, 3, -1, -1, -1));
            int input = b.Tensor("input", TensorType.INT16, new[] { 1, 1, 3, 1 }, new[] { 1f }, 0);
            byte[] biasData = biasType == TensorType.INT16 ? I16(7, -60) : biasType == TensorType.INT64 ? I64(7, -60) : I32(7, -60);
            int bias = b.Tensor("bias", biasType, new[] { 2 }, new[] { 0.5f, 1f }, 0, biasData);
            int output = b.Tensor("output", TensorType.INT16, new[] { 1, 1, 5, 2 }, new[] { 1f }, outputZeroPoint);
            var options = new TransposeConvOptions { Padding = Padding.SAME, StrideW = 2, StrideH = 1 };
            return b.Model(BuiltinOperator.TRANSPOSE_CONV, new[] { shape, filter, input, bias }, output, options, new[] { input });
        }

        [Theory]
        [InlineData(TensorType.INT16)]
        [InlineData(TensorType.INT64)]
        public void TransposeConv16x8_PackAndRun_MatchesHandComputation(TensorType biasType)
        {
            var output = Run(TransposeConv16(biasType), I16(5, -25, 25));
            Assert.Equal(new[] { 9, -65, -1, -40, -21, -35, -21, -60, 29, -85 },
                Enumerable.Range(0, 10).Select(k => (int)BitConverter.ToInt16(output, 2 * k)));
        }

        [Fact]
        public void TransposeConv16x8_Int32Bias_Refused()
        {
            // TFLM would read an int32 bias as int64 here.
            var e = Assert.Throws<PackException>(() => TfliteImporter.Import(TransposeConv16(TensorType.INT32), "test.tflite"));
            Assert.Contains("must be int64 or int16 with int16 activations", e.Message);
        }

        [Fact]
        public void TransposeConv16x8_NonZeroOutputZeroPoint_Refused()
        {
            var e = Assert.Throws<PackException>(() => TfliteImporter.Import(TransposeConv16(TensorType.INT64, 4), "test.tflite"));
            Assert.Contains("has zero point 4; int16 activations must be symmetric", e.Message);
        }

        /// <summary>
        /// CONV_2D 16x8 (Conv16x8Tests' first case): input 1x3x3x1, filter [2,3,3,1] with scales 2^-18 and
        /// 0.5 (input and output scale 1), int64 bias 3 * 2^31 and -1000, SAME, stride 2.
        /// </summary>
        static TfliteModel Conv16(bool withBias = true, TensorType quantizedBiasType = 0)
        {
            var b = new Builder();
            int input = b.Tensor("input", TensorType.INT16, new[] { 1, 3, 3, 1 }, new[] { 1f }, 0);
            int filter = b.Tensor("filter", TensorType.INT8, new[] { 2, 3, 3, 1 }, new[] { 1f / (1 << 18), 0.5f }, 0,
                I8(100, -50, 20, 10, -100, 50, -30, 60, 90, 0, 0, 0, 0, 3, 0, 0, 0, 0));
            int bias = withBias ? b.Tensor("bias", TensorType.INT64, new[] { 2 }, new[] { 1f / (1 << 18), 0.5f }, 0, I64(3L << 31, -1000)) : -1;
            int output = b.Tensor("output", TensorType.INT16, new[] { 1, 2, 2, 2 }, new[] { 1f }, 0);
            var options = new Conv2DOptions { Padding = Padding.SAME, StrideW = 2, StrideH = 2, QuantizedBiasType = quantizedBiasType };
            return b.Model(BuiltinOperator.CONV_2D, new[] { input, filter, bias }, output, options, new[] { input });
        }

        [Fact]
        public void Conv2D16x8_PackAndRun_MatchesHandComputation()
        {
            var output = Run(Conv16(), I16(1000, -2000, -32768, -4000, 30000, -6000, 7000, -8000, 32767));
            Assert.Equal(new[] { 24585, 1000, 24584, -32768, 24575, 10000, 24576, 32767 },
                Enumerable.Range(0, 8).Select(k => (int)BitConverter.ToInt16(output, 2 * k)));
        }

        [Fact]
        public void Conv2D16x8_NoBiasWithInt32QuantizedBiasType_Refused()
        {
            var e = Assert.Throws<PackException>(() => TfliteImporter.Import(Conv16(false, TensorType.INT32), "test.tflite"));
            Assert.Contains("quantized_bias_type INT32", e.Message);
            // Without that field the absent bias runs with the int64 accumulator.
            TfliteImporter.Import(Conv16(false), "test.tflite");
        }
    }
}
