using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Packer.Blob;
using Mote.Runtime;
using Mote.Runtime.Format;
using Mote.Packer.Tests.Tflite;
using Xunit;
using static Mote.Packer.Tests.Tflite.FbTestWriter;

namespace Mote.Packer.Tests.Models
{
    /// <summary>
    /// STRIDED_SLICE, TRANSPOSE, DEQUANTIZE and int16 PAD through the TFLite importer on hand-built single-op
    /// models: the slice plan is resolved as TFLite Micro resolves it (masks, negative indices and strides,
    /// shrink axes), and what TFLM refuses, ignores or leaves undefined is refused naming the operator.
    /// </summary>
    public class DataOpImportTests
    {
        const string File = "data-op.tflite";
        const sbyte Float32 = 0, Int32 = 2, Int16 = 7, Int8 = 9;
        const int Dequantize = 6, Pad = 34, Transpose = 39, StridedSlice = 45;

        /// <summary>A tensor of the hand-built model: shape, TFLite type, quantization (none for int32/float32), constant data.</summary>
        sealed record Tensor(int[] Shape, sbyte Type = Int8, float Scale = 0.1f, long ZeroPoint = 0, byte[] Data = null);

        /// <summary>One operator over <paramref name="tensors"/>; the model's inputs are its non-constant inputs (as NewOpImportTests builds them).</summary>
        static byte[] SingleOp(int builtin, Tensor[] tensors, int[] inputs, int output, byte optionsType = 0, Table options = null)
        {
            var tensorTables = new Table[tensors.Length];
            var buffers = new List<Node> { T() };
            var graphInputs = new List<int>();
            for (int i = 0; i < tensors.Length; i++)
            {
                var t = tensors[i];
                var table = T().Set(0, Ints(t.Shape)).Set(1, new I8(t.Type)).Set(3, S("t" + i));
                if (t.Type != Int32 && t.Type != Float32) table.Set(4, T().Set(2, Floats(t.Scale)).Set(3, Longs(t.ZeroPoint)));
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

        static Tensor Vector(params int[] v) => new Tensor(new[] { v.Length }, Type: Int32, Data: Int32s(v));

        static PackException Refused(byte[] tflite, string operatorName)
        {
            var e = Assert.Throws<PackException>(() => Packer.PackTflite(tflite, File));
            Assert.Contains(File, e.Message);
            Assert.Contains($"operator 0 ({operatorName})", e.Message);
            return e;
        }

        /// <summary>Runs a packed model on raw input bytes and returns the output bytes.</summary>
        static byte[] Run(byte[] tflite, byte[] input)
        {
            var it = new Interpreter(Model.Load(Packer.PackTflite(tflite, File).Blob));
            it.GetInput(0).CopyFrom(input, 0);
            it.Invoke();
            var o = new byte[it.GetOutput(0).Bytes];
            it.GetOutput(0).CopyTo(o, 0);
            return o;
        }

        static byte[] Iota(int n)
        {
            var b = new byte[n];
            for (int i = 0; i < n; i++) b[i] = (byte)i;
            return b;
        }

        static Table SliceOptions(int begin = 0, int end = 0, int shrink = 0, int ellipsis = 0, int newAxis = 0, bool offset = false)
        {
            var t = T().Set(0, new I32(begin)).Set(1, new I32(end)).Set(4, new I32(shrink));
            if (ellipsis != 0) t.Set(2, new I32(ellipsis));
            if (newAxis != 0) t.Set(3, new I32(newAxis));
            if (offset) t.Set(5, new U8(1));
            return t;
        }

        static byte[] Slice(int[] inShape, int[] outShape, int[] begin, int[] end, int[] strides, Table options, sbyte type = Int8) =>
            SingleOp(StridedSlice, new[] { new Tensor(inShape, type), Vector(begin), Vector(end), Vector(strides), new Tensor(outShape, type) },
                new[] { 0, 1, 2, 3 }, 4, 32, options);

        [Fact]
        public void StridedSlice_NegativeBeginAndStrideWithEndMask_ResolvedLikeTflm()
        {
            // [3,4] = 0..11 (value = 4r + c). Axis 0: begin -1 -> 2, end 0, stride -1 -> rows 2, 1.
            // Axis 1: end masked (-> 4), stride 2 -> columns 0, 2. Output [2,2] = 8, 10, 4, 6.
            var model = Slice(new[] { 3, 4 }, new[] { 2, 2 }, new[] { -1, 0 }, new[] { 0, 0 }, new[] { -1, 2 }, SliceOptions(end: 2));
            Assert.Equal(new byte[] { 8, 10, 4, 6 }, Run(model, Iota(12)));
        }

        [Fact]
        public void StridedSlice_BeginAndEndMasksWithNegativeStride_ReverseWholeAxis()
        {
            // Both masks on axis 0 with stride -1: start = size - 1, end = -1 -> rows 2, 1, 0 (begin/end values ignored).
            var model = Slice(new[] { 3, 2 }, new[] { 3, 2 }, new[] { 0, 0 }, new[] { 1, 2 }, new[] { -1, 1 }, SliceOptions(begin: 1, end: 1));
            Assert.Equal(new byte[] { 4, 5, 2, 3, 0, 1 }, Run(model, Iota(6)));
        }

        [Fact]
        public void StridedSlice_ShrinkAxisWithNegativeBegin_DropsTheAxis()
        {
            // [3,4]: axis 0 begin -2 -> row 1, shrunk (its end is ignored); axis 1 columns 1..2: output [2] = 5, 6.
            var model = Slice(new[] { 3, 4 }, new[] { 2 }, new[] { -2, 1 }, new[] { 0, 3 }, new[] { 1, 1 }, SliceOptions(shrink: 1));
            Assert.Equal(new byte[] { 5, 6 }, Run(model, Iota(12)));
        }

        [Fact]
        public void StridedSlice_OutOfRangeIndicesAreClamped()
        {
            // [5]: begin -100 -> clamped to 0, end 100 -> 5, stride 2: 0, 2, 4.
            var model = Slice(new[] { 5 }, new[] { 3 }, new[] { -100 }, new[] { 100 }, new[] { 2 }, SliceOptions());
            Assert.Equal(new byte[] { 0, 2, 4 }, Run(model, Iota(5)));
        }

        [Fact]
        public void StridedSlice_Int16_CopiesWholeElements()
        {
            // [4] int16 = 0x0100, 0x0302, 0x0504, 0x0706 (bytes 0..7); elements 3, 1 (stride -2).
            var model = Slice(new[] { 4 }, new[] { 2 }, new[] { 3 }, new[] { 0 }, new[] { -2 }, SliceOptions(), Int16);
            Assert.Equal(new byte[] { 6, 7, 2, 3 }, Run(model, Iota(8)));
        }

        /// <summary>
        /// TFLM's StridedSlice written out directly from reference/strided_slice.h and strided_slice_logic.h (the
        /// 5-D loop, Eval's start/end rules, Prepare's output shape): a second reading of the same source, so the
        /// packer's resolved plan and the kernel's walk are checked against it on random slices.
        /// </summary>
        static (int[] shape, List<int> output, bool prepareOk) TflmStridedSlice(int[] inShape, int[] begin, int[] end, int[] strides,
            int beginMask, int endMask, int shrinkMask, byte[] input)
        {
            int rank = inShape.Length;
            // Prepare (CheckOutputSize): StartForAxis / StopForAxis, ceil((end - begin) / (float)stride), at least 0.
            var shape = new List<int>();
            for (int d = 0; d < rank; d++)
            {
                int n = inShape[d], st = strides[d];
                int b = (beginMask >> d & 1) != 0 ? (st > 0 ? int.MinValue : int.MaxValue) : begin[d];
                if (b < 0) b += n;
                b = st > 0 ? Math.Clamp(b, 0, n) : Math.Clamp(b, -1, n - 1);
                int e;
                if ((shrinkMask >> d & 1) != 0) e = b + 1;
                else
                {
                    e = (endMask >> d & 1) != 0 ? (st > 0 ? int.MaxValue : int.MinValue) : end[d];
                    if (e < 0) e += n;
                    e = st > 0 ? Math.Clamp(e, 0, n) : Math.Clamp(e, -1, n - 1);
                }
                int dim = (int)Math.Ceiling((e - b) / (float)st);
                if ((shrinkMask >> d & 1) == 0) shape.Add(Math.Max(dim, 0));
            }
            // Eval: pad to 5-D (start 0, stop 1, stride 1, masks set), StridedSliceStartForAxis / EndForAxis, loop.
            int pad = 5 - rank;
            var s5 = new int[5]; var b5 = new int[5]; var e5 = new int[5]; var t5 = new int[5];
            int bm = beginMask << pad | ((1 << pad) - 1), em = endMask << pad | ((1 << pad) - 1), sm = shrinkMask << pad;
            for (int d = 0; d < 5; d++)
            {
                s5[d] = d < pad ? 1 : inShape[d - pad];
                b5[d] = d < pad ? 0 : begin[d - pad];
                e5[d] = d < pad ? 1 : end[d - pad];
                t5[d] = d < pad ? 1 : strides[d - pad];
            }
            var start = new int[5]; var stop = new int[5];
            for (int d = 0; d < 5; d++)
            {
                int n = s5[d], st = t5[d], b = b5[d];
                if (b < 0) b += n;
                b = st > 0 ? Math.Clamp(b, 0, n) : Math.Clamp(b, -1, n - 1);
                if ((bm >> d & 1) != 0) b = st > 0 ? 0 : n - 1;
                int e;
                if ((sm >> d & 1) != 0) e = b >= n ? b : b + 1;
                else
                {
                    e = e5[d];
                    if (e < 0) e += n;
                    e = st > 0 ? Math.Clamp(e, 0, n) : Math.Clamp(e, -1, n - 1);
                    if ((em >> d & 1) != 0) e = st > 0 ? n : -1;
                }
                start[d] = b; stop[d] = e;
            }
            bool Go(int i, int d) => t5[d] < 0 ? i > stop[d] : i < stop[d];
            var output = new List<int>();
            for (int i0 = start[0]; Go(i0, 0); i0 += t5[0])
                for (int i1 = start[1]; Go(i1, 1); i1 += t5[1])
                    for (int i2 = start[2]; Go(i2, 2); i2 += t5[2])
                        for (int i3 = start[3]; Go(i3, 3); i3 += t5[3])
                            for (int i4 = start[4]; Go(i4, 4); i4 += t5[4])
                                output.Add(input[(((i0 * s5[1] + i1) * s5[2] + i2) * s5[3] + i3) * s5[4] + i4]);
            return (shape.ToArray(), output, true);
        }

        [Fact]
        public void StridedSlice_RandomSlices_MatchDirectTflmReadingOrAreRefused()
        {
            var rng = new Random(3);
            int ran = 0, refused = 0;
            for (int trial = 0; trial < 400; trial++)
            {
                int rank = rng.Next(1, 5);
                var inShape = new int[rank];
                for (int d = 0; d < rank; d++) inShape[d] = rng.Next(1, 6);
                var begin = new int[rank]; var end = new int[rank]; var strides = new int[rank];
                for (int d = 0; d < rank; d++)
                {
                    begin[d] = rng.Next(-7, 8);
                    end[d] = rng.Next(-7, 8);
                    do strides[d] = rng.Next(-3, 4); while (strides[d] == 0);
                }
                int beginMask = rng.Next(1 << rank), endMask = rng.Next(1 << rank), shrinkMask = rng.Next(4) == 0 ? rng.Next(1 << rank) : 0;
                int elements = 1;
                foreach (int n in inShape) elements *= n;
                var input = new byte[elements];
                for (int i = 0; i < elements; i++) input[i] = (byte)(i * 7 + 3);
                var (shape, expected, _) = TflmStridedSlice(inShape, begin, end, strides, beginMask, endMask, shrinkMask, input);
                if (shape.Any(x => x == 0)) continue; // an empty output tensor cannot be written in a .tflite Mote accepts
                int outElements = shape.Aggregate(1, (a, x) => a * x);
                var model = Slice(inShape, shape, begin, end, strides, SliceOptions(beginMask, endMask, shrinkMask));
                if (expected.Count != outElements)
                {
                    // TFLM's Prepare accepts the shape but its Eval writes a different number of elements: refused.
                    Refused(model, "STRIDED_SLICE");
                    refused++;
                    continue;
                }
                var actual = Run(model, input);
                Assert.Equal(expected.Select(v => (byte)v).ToArray(), actual);
                ran++;
            }
            Assert.True(ran > 100 && refused > 0, $"ran {ran}, refused {refused}");
        }

        [Fact]
        public void StridedSlice_EllipsisMask_RefusedBecauseTflmIgnoresIt()
        {
            var model = Slice(new[] { 3, 4 }, new[] { 3, 4 }, new[] { 0, 0 }, new[] { 3, 4 }, new[] { 1, 1 }, SliceOptions(ellipsis: 1));
            Assert.Contains("TFLite Micro ignores them", Refused(model, "STRIDED_SLICE").Message);
        }

        [Fact]
        public void StridedSlice_ShrinkWithNegativeStride_RefusedBecauseTflmWritesNothing()
        {
            // TFLM's Prepare accepts it (the shrunk axis is not in the output shape), its Eval loops from begin to
            // begin + 1 with a negative stride and writes no element.
            var model = Slice(new[] { 3, 4 }, new[] { 4 }, new[] { 1, 0 }, new[] { 2, 4 }, new[] { -1, 1 }, SliceOptions(shrink: 1));
            Assert.Contains("leaves the output unwritten", Refused(model, "STRIDED_SLICE").Message);
        }

        [Fact]
        public void StridedSlice_OutputShapeNotTheSlice_RefusedLikeTflmPrepare()
        {
            var model = Slice(new[] { 3, 4 }, new[] { 3, 3 }, new[] { 0, 0 }, new[] { 3, 4 }, new[] { 1, 2 }, SliceOptions());
            Assert.Contains("should be [3,2]", Refused(model, "STRIDED_SLICE").Message);
        }

        [Fact]
        public void StridedSlice_ZeroStride_Refused()
        {
            var model = Slice(new[] { 3 }, new[] { 3 }, new[] { 0 }, new[] { 3 }, new[] { 0 }, SliceOptions());
            Assert.Contains("stride of dimension 0 is 0", Refused(model, "STRIDED_SLICE").Message);
        }

        [Fact]
        public void StridedSlice_RankFive_RefusedAsInTflm()
        {
            var shape = new[] { 1, 1, 1, 1, 2 };
            var model = Slice(shape, shape, new int[5], shape, new[] { 1, 1, 1, 1, 1 }, SliceOptions());
            Assert.Contains("supports up to 4", Refused(model, "STRIDED_SLICE").Message);
        }

        [Fact]
        public void Transpose_Rank3Perm201_MovesAxes()
        {
            // [1,2,3] = 0..5, perm [2,0,1] -> [3,1,2]: out[k][0][j] = in[0][j][k] = 3j + k: 0 3 1 4 2 5.
            var model = SingleOp(Transpose, new[] { new Tensor(new[] { 1, 2, 3 }), Vector(2, 0, 1), new Tensor(new[] { 3, 1, 2 }) }, new[] { 0, 1 }, 2);
            Assert.Equal(new byte[] { 0, 3, 1, 4, 2, 5 }, Run(model, Iota(6)));
        }

        [Fact]
        public void Transpose_RepeatedPermEntry_Refused()
        {
            var model = SingleOp(Transpose, new[] { new Tensor(new[] { 2, 2 }), Vector(0, 0), new Tensor(new[] { 2, 2 }) }, new[] { 0, 1 }, 2);
            Assert.Contains("not a permutation", Refused(model, "TRANSPOSE").Message);
        }

        [Fact]
        public void Transpose_OutputShapeNotPermuted_Refused()
        {
            var model = SingleOp(Transpose, new[] { new Tensor(new[] { 2, 3 }), Vector(1, 0), new Tensor(new[] { 2, 3 }) }, new[] { 0, 1 }, 2);
            Assert.Contains("should be [3,2]", Refused(model, "TRANSPOSE").Message);
        }

        [Fact]
        public void Transpose_Int32_RefusedAsTflmSupportsFloatInt8Int16Only()
        {
            var model = SingleOp(Transpose, new[] { new Tensor(new[] { 2 }, Int32), Vector(0), new Tensor(new[] { 2 }, Int32) }, new[] { 0, 1 }, 2);
            Assert.Contains("does not support", Refused(model, "TRANSPOSE").Message);
        }

        [Fact]
        public void Dequantize_Int16_GivesScaleTimesOffsetValue()
        {
            // Scale 0.25, zero point -2: 6 -> 2.0; -32768 -> -8191.5.
            var model = SingleOp(Dequantize, new[] { new Tensor(new[] { 2 }, Int16, 0.25f, -2), new Tensor(new[] { 2 }, Float32) }, new[] { 0 }, 1);
            var input = new byte[4];
            BitConverter.GetBytes((short)6).CopyTo(input, 0);
            BitConverter.GetBytes(short.MinValue).CopyTo(input, 2);
            var output = Run(model, input);
            Assert.Equal(2.0f, BitConverter.ToSingle(output, 0));
            Assert.Equal(-8191.5f, BitConverter.ToSingle(output, 4));
        }

        [Fact]
        public void Dequantize_Int8ToInt8Output_Refused()
        {
            var model = SingleOp(Dequantize, new[] { new Tensor(new[] { 2 }), new Tensor(new[] { 2 }) }, new[] { 0 }, 1);
            Assert.Contains("must be float32", Refused(model, "DEQUANTIZE").Message);
        }

        static byte[] Int16s(params short[] v)
        {
            var b = new byte[2 * v.Length];
            for (int i = 0; i < v.Length; i++) BitConverter.GetBytes(v[i]).CopyTo(b, 2 * i);
            return b;
        }

        [Fact]
        public void PadInt16_WithoutConstantValues_PadsWithZeroNotTheZeroPoint()
        {
            // TFLM PadEval's int16 case pads with 0 whatever the output zero point (here 5).
            var model = SingleOp(Pad, new[] { new Tensor(new[] { 2 }, Int16, 0.5f, 5), new Tensor(new[] { 1, 2 }, Int32, Data: Int32s(1, 1)),
                new Tensor(new[] { 4 }, Int16, 0.5f, 5) }, new[] { 0, 1 }, 2);
            Assert.Equal(Int16s(0, -32768, 32767, 0), Run(model, Int16s(-32768, 32767)));
        }

        [Fact]
        public void PadV2Int16_ConstantValue_IsWrittenRaw()
        {
            var model = SingleOp(60, new[] { new Tensor(new[] { 2 }, Int16), new Tensor(new[] { 1, 2 }, Int32, Data: Int32s(0, 1)),
                new Tensor(Array.Empty<int>(), Int16, Data: Int16s(-1234)), new Tensor(new[] { 3 }, Int16) }, new[] { 0, 1, 2 }, 3);
            Assert.Equal(Int16s(7, 8, -1234), Run(model, Int16s(7, 8)));
        }

        [Fact]
        public void PadInt16_Int8Output_Refused()
        {
            var model = SingleOp(Pad, new[] { new Tensor(new[] { 2 }, Int16), new Tensor(new[] { 1, 2 }, Int32, Data: Int32s(1, 1)),
                new Tensor(new[] { 4 }) }, new[] { 0, 1 }, 2);
            Assert.Contains("requires equal types", Refused(model, "PAD").Message);
        }

        /// <summary>Packs <paramref name="tflite"/>, sets parameter words of operator 0, reseals and loads: must be rejected.</summary>
        static MoteFormatException LoadWithWord(byte[] tflite, int word, int value) =>
            LoadWithWords(Packer.PackTflite(tflite, File).Blob, (word, value));

        static MoteFormatException LoadWithWords(byte[] blob, params (int word, int value)[] edits)
        {
            int paramStart = Model.Load(blob).GetOperator(0).ParamStart;
            int paramsAt = -1;
            for (int i = 0; i < LittleEndian.ReadInt32(blob, BlobFormat.OffSectionCount); i++)
                if (LittleEndian.ReadInt32(blob, 64 + 16 * i) == BlobFormat.SectionParams) paramsAt = LittleEndian.ReadInt32(blob, 64 + 16 * i + 4);
            foreach (var (word, value) in edits) LittleEndian.WriteInt32(blob, paramsAt + 4 * (paramStart + word), value);
            BlobWriter.Seal(blob);
            return Assert.Throws<MoteFormatException>(() => Model.Load(blob));
        }

        [Theory]
        [InlineData(4, 4, "leave the input extent")]   // start of the last axis = its extent (4)
        [InlineData(9, 3, "leave the input extent")]   // count 3 with step 2 from 0 reads index 4 of 4
        [InlineData(14, 0, "leave the input extent")]  // step 0
        [InlineData(14, -1, "leave the input extent")] // step -1 from 0 reads index -1
        [InlineData(8, 2, "the slice has")]            // 2 x 2 elements for a 2-element output
        public void Load_StridedSliceWordsOutsideTheInput_Rejected(int word, int value, string expected)
        {
            // [3,4] -> row 1 (shrunk), columns 0, 2: words start 0,0,0,1,0; count 1,1,1,1,2; step 1,1,1,1,2.
            var model = Slice(new[] { 3, 4 }, new[] { 2 }, new[] { 1, 0 }, new[] { 2, 4 }, new[] { 1, 2 }, SliceOptions(shrink: 1));
            Assert.Equal(new byte[] { 4, 6 }, Run(model, Iota(12)));
            Assert.Contains(expected, LoadWithWord(model, word, value).Message);
        }

        [Fact]
        public void Load_StridedSliceHugeStepOnASingleIndexAxis_LoadsAndRunsAsStepOne()
        {
            // Axis 3 (rows) takes one index: its step word is irrelevant, even 2^30, and must not upset the kernel's strides.
            var model = Slice(new[] { 3, 4 }, new[] { 2 }, new[] { 1, 0 }, new[] { 2, 4 }, new[] { 1, 2 }, SliceOptions(shrink: 1));
            var blob = Packer.PackTflite(model, File).Blob;
            int paramStart = Model.Load(blob).GetOperator(0).ParamStart;
            int paramsAt = -1;
            for (int i = 0; i < LittleEndian.ReadInt32(blob, BlobFormat.OffSectionCount); i++)
                if (LittleEndian.ReadInt32(blob, 64 + 16 * i) == BlobFormat.SectionParams) paramsAt = LittleEndian.ReadInt32(blob, 64 + 16 * i + 4);
            LittleEndian.WriteInt32(blob, paramsAt + 4 * (paramStart + 13), 1 << 30);
            BlobWriter.Seal(blob);
            var it = new Interpreter(Model.Load(blob));
            it.GetInput(0).CopyFrom(Iota(12), 0);
            it.Invoke();
            Assert.Equal(4, it.GetOutput(0).GetInt8(0));
            Assert.Equal(6, it.GetOutput(0).GetInt8(1));
        }

        [Theory]
        [InlineData(4, 4, "permutation")]      // words 0,1,2,4,3 -> 0,1,2,4,4: 4 twice
        [InlineData(0, 5, "permutation")]      // 5 is not an axis
        [InlineData(1, 0, "permutation")]      // 0,0,2,4,3: 0 twice
        public void Load_TransposeWordsNotAPermutation_Rejected(int word, int value, string expected)
        {
            var model = SingleOp(Transpose, new[] { new Tensor(new[] { 2, 3 }), Vector(1, 0), new Tensor(new[] { 3, 2 }) }, new[] { 0, 1 }, 2);
            Assert.Contains(expected, LoadWithWord(model, word, value).Message);
        }

        [Fact]
        public void Load_TransposeIdentityWordsForASwappingOutput_Rejected()
        {
            // Words 0,1,2,3,4 for a [2,3] -> [3,2] transpose: output dimension 3 (extent 3) is not input dimension 3 (extent 2).
            var model = SingleOp(Transpose, new[] { new Tensor(new[] { 2, 3 }), Vector(1, 0), new Tensor(new[] { 3, 2 }) }, new[] { 0, 1 }, 2);
            Assert.Contains("permuted", LoadWithWords(Packer.PackTflite(model, File).Blob, (3, 3), (4, 4)).Message);
        }

        [Theory]
        [InlineData(0, 128, "outside the int8 range")]                 // zero point
        [InlineData(1, -1082130432, "not a finite positive float32")]  // -1.0f
        [InlineData(1, 0x7F800000, "not a finite positive float32")]   // +infinity
        public void Load_DequantizeWordsOutOfRange_Rejected(int word, int value, string expected)
        {
            var model = SingleOp(Dequantize, new[] { new Tensor(new[] { 2 }), new Tensor(new[] { 2 }, Float32) }, new[] { 0 }, 1);
            Assert.Contains(expected, LoadWithWord(model, word, value).Message);
        }

        [Theory]
        [InlineData(0, 32769, "is not minus an int16 zero point")]
        [InlineData(1, 128, "outside the int8 range")]
        [InlineData(3, 31, "out of range")]
        public void Load_QuantizeInt16ToInt8WordsOutOfRange_Rejected(int word, int value, string expected)
        {
            var model = SingleOp(114, new[] { new Tensor(new[] { 2 }, Int16, 0.001f), new Tensor(new[] { 2 }, Int8, 0.1f) }, new[] { 0 }, 1);
            Assert.Contains(expected, LoadWithWord(model, word, value).Message);
        }

        [Fact]
        public void Load_PadInt16ValueOutsideInt16_Rejected()
        {
            var model = SingleOp(Pad, new[] { new Tensor(new[] { 2 }, Int16), new Tensor(new[] { 1, 2 }, Int32, Data: Int32s(1, 1)),
                new Tensor(new[] { 4 }, Int16) }, new[] { 0, 1 }, 2);
            Assert.Contains("out of int16 range", LoadWithWord(model, 0, 40000).Message);
        }
    }
}
