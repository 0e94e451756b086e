using System;
using Mote.Packer.Tflite;
using Xunit;
using static Mote.Packer.Tests.Tflite.FbTestWriter;

namespace Mote.Packer.Tests.Tflite
{
    /// <summary>
    /// Hand-built models (see <see cref="FbTestWriter"/>, field numbers per the TFLite schema) with one defect each:
    /// the reader must throw <see cref="TfliteFormatException"/> with the right offset and path.
    /// </summary>
    public class TfliteMalformedTests
    {
        const string File = "test.tflite";

        /// <summary>The pieces of the standard small model, kept so tests can find their positions.</summary>
        internal sealed class Sample
        {
            public Table Root, OpCode, Subgraph, Operator, AddOpts, Buffer1;
            public Table[] Tensors;
            public Vec OpInputs, SgOutputs, Tensor1Shape;
            public Str Tensor0Name;
            public byte[] Bytes;
        }

        /// <summary>ADD of tensors 0 and 1 into 2 (int8 [1,4]), tensor 1 constant in buffer 1.</summary>
        internal static Sample BuildSample(Action<Sample> tweak = null, byte[] trailer = null)
        {
            var s = new Sample();
            s.Tensors = new Table[3];
            for (int i = 0; i < 3; i++)
            {
                s.Tensors[i] = T()
                    .Set(0, i == 1 ? (s.Tensor1Shape = Ints(1, 4)) : Ints(1, 4)) // shape
                    .Set(1, new I8(9))                                            // type INT8
                    .Set(3, i == 0 ? (s.Tensor0Name = S("in0")) : S("t" + i))     // name
                    .Set(4, T().Set(2, Floats(0.5f)).Set(3, Longs(-3)));          // quantization: scale, zero_point
            }
            s.Tensors[1].Set(2, new U32(1)); // buffer
            s.AddOpts = T().Set(0, new I8(1)); // fused_activation_function RELU
            s.Operator = T()
                .Set(0, new U32(0))                       // opcode_index
                .Set(1, s.OpInputs = Ints(0, 1))          // inputs
                .Set(2, Ints(2))                          // outputs
                .Set(3, new U8(11))                       // builtin_options_type AddOptions
                .Set(4, s.AddOpts);                       // builtin_options
            s.Subgraph = T()
                .Set(0, Refs(s.Tensors))                  // tensors
                .Set(1, Ints(0))                          // inputs
                .Set(2, s.SgOutputs = Ints(2))            // outputs
                .Set(3, Refs(s.Operator))                 // operators
                .Set(4, S("main"));                       // name
            s.OpCode = T().Set(0, new I8(0)).Set(2, new I32(2)); // deprecated_builtin_code ADD, version 2
            s.Buffer1 = T().Set(0, Bytes(1, 2, 3, 4));
            s.Root = T()
                .Set(0, new U32(3))                       // version
                .Set(1, Refs(s.OpCode))                   // operator_codes
                .Set(2, Refs(s.Subgraph))                 // subgraphs
                .Set(3, S("hand-built"))                  // description
                .Set(4, Refs(T(), s.Buffer1));            // buffers
            tweak?.Invoke(s);
            s.Bytes = new FbTestWriter().Finish(s.Root, "TFL3", trailer);
            return s;
        }

        static TfliteFormatException Fails(byte[] bytes)
        {
            var e = Assert.Throws<TfliteFormatException>(() => TfliteModel.Parse(bytes, File));
            Assert.Null(e.InnerException);
            Assert.Equal(File, e.FileName);
            Assert.StartsWith(File + ": ", e.Message);
            return e;
        }

        static void Put32(byte[] b, int at, uint v)
        {
            for (int i = 0; i < 4; i++) b[at + i] = (byte)(v >> (8 * i));
        }

        [Fact]
        public void Parse_HandBuiltModel_ReadsEveryField()
        {
            var s = BuildSample();
            var m = TfliteModel.Parse(s.Bytes, File);
            Assert.Equal(3u, m.Version);
            Assert.Equal("hand-built", m.Description);
            Assert.Single(m.OperatorCodes);
            Assert.Equal((int)BuiltinOperator.ADD, m.OperatorCodes[0].BuiltinCode);
            Assert.Equal(2, m.OperatorCodes[0].Version);
            Assert.Null(m.OperatorCodes[0].CustomCode);
            Assert.Equal(2, m.Buffers.Length);
            Assert.Empty(m.Buffers[0].Data);
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, m.Buffers[1].Data);
            var sg = Assert.Single(m.Subgraphs);
            Assert.Equal("main", sg.Name);
            Assert.Equal(new[] { 0 }, sg.Inputs);
            Assert.Equal(new[] { 2 }, sg.Outputs);
            Assert.Equal(3, sg.Tensors.Length);
            Assert.Equal("in0", sg.Tensors[0].Name);
            Assert.Equal(new[] { 1, 4 }, sg.Tensors[1].Shape);
            Assert.Equal(TensorType.INT8, sg.Tensors[1].Type);
            Assert.Equal(1, sg.Tensors[1].Buffer);
            Assert.Equal(0, sg.Tensors[0].Buffer);
            Assert.Equal(new[] { 0.5f }, sg.Tensors[2].Quantization.Scale);
            Assert.Equal(new[] { -3L }, sg.Tensors[2].Quantization.ZeroPoint);
            Assert.Empty(sg.Tensors[2].Quantization.Min);
            Assert.False(sg.Tensors[2].IsVariable);
            Assert.Empty(sg.Tensors[2].ShapeSignature);
            var op = Assert.Single(sg.Operators);
            Assert.Equal(new[] { 0, 1 }, op.Inputs);
            Assert.Equal(new[] { 2 }, op.Outputs);
            Assert.Empty(op.Intermediates);
            Assert.Equal((int)BuiltinOptionsType.AddOptions, op.BuiltinOptionsType);
            var add = Assert.IsType<AddOptions>(op.BuiltinOptions);
            Assert.Equal(ActivationFunctionType.RELU, add.FusedActivationFunction);
            Assert.True(add.PotScaleInt16); // absent -> schema default true
            Assert.Empty(op.CustomOptions);
        }

        [Fact]
        public void Parse_EmptyFile_ThrowsEmpty()
        {
            var e = Fails(Array.Empty<byte>());
            Assert.Equal(0, e.Offset);
            Assert.Contains("empty", e.Message);
        }

        [Fact]
        public void Parse_ThreeBytes_ThrowsTooSmall()
        {
            var e = Fails(new byte[] { 0x18, 0, 0 });
            Assert.Equal(0, e.Offset);
            Assert.Contains("too small (3 bytes)", e.Message);
        }

        [Fact]
        public void Parse_WrongIdentifier_ThrowsNotTflite()
        {
            var s = BuildSample();
            s.Bytes[4] = (byte)'X';
            var e = Fails(s.Bytes);
            Assert.Equal(4, e.Offset);
            Assert.Equal("file_identifier", e.Path);
            Assert.Contains("not a TensorFlow Lite flatbuffer", e.Message);
            Assert.Contains("'XFL3'", e.Message);
        }

        [Fact]
        public void Parse_RootOffsetPastEnd_ThrowsAtOffsetZero()
        {
            var s = BuildSample();
            Put32(s.Bytes, 0, (uint)s.Bytes.Length + 16);
            var e = Fails(s.Bytes);
            Assert.Equal(0, e.Offset);
            Assert.Contains("past the end", e.Message);
        }

        [Fact]
        public void Parse_RootOffsetMisaligned_ThrowsMisaligned()
        {
            var s = BuildSample();
            Put32(s.Bytes, 0, (uint)s.Root.Position + 2);
            var e = Fails(s.Bytes);
            Assert.Equal(s.Root.Position + 2, e.Offset);
            Assert.Contains("misaligned", e.Message);
        }

        [Fact]
        public void Parse_RootVtableOutOfRange_ThrowsAtRootTable()
        {
            var s = BuildSample();
            Put32(s.Bytes, s.Root.Position, unchecked((uint)-0x100000)); // vtable = table + 1 MiB
            var e = Fails(s.Bytes);
            Assert.Equal(s.Root.Position, e.Offset);
            Assert.Equal("", e.Path);
            Assert.Contains("vtable", e.Message);
        }

        [Fact]
        public void Parse_TensorVtableOutOfRange_ThrowsWithTensorPath()
        {
            var s = BuildSample();
            Put32(s.Bytes, s.Tensors[1].Position, (uint)s.Tensors[1].Position + 100); // vtable before the file start
            var e = Fails(s.Bytes);
            Assert.Equal(s.Tensors[1].Position, e.Offset);
            Assert.Equal("subgraphs[0].tensors[1]", e.Path);
        }

        [Fact]
        public void Parse_VtableOddSize_ThrowsBadVtableSize()
        {
            var s = BuildSample();
            s.Bytes[s.Operator.VtablePosition] = 7; // vtable size 7
            s.Bytes[s.Operator.VtablePosition + 1] = 0;
            var e = Fails(s.Bytes);
            Assert.Equal(s.Operator.VtablePosition, e.Offset);
            Assert.Equal("subgraphs[0].operators[0]", e.Path);
            Assert.Contains("vtable size 7", e.Message);
        }

        [Fact]
        public void Parse_FieldOutsideTable_ThrowsFieldOffset()
        {
            var s = BuildSample();
            // opcode_index (field 0) claims offset 0x4000 inside a small table.
            int slot = s.Operator.VtablePosition + 4;
            s.Bytes[slot] = 0x00;
            s.Bytes[slot + 1] = 0x40;
            var e = Fails(s.Bytes);
            Assert.Equal(slot, e.Offset);
            Assert.Equal("subgraphs[0].operators[0].opcode_index", e.Path);
            Assert.Contains("outside its", e.Message);
        }

        [Fact]
        public void Parse_VectorLengthHuge_ThrowsBeforeAllocating()
        {
            var s = BuildSample();
            Put32(s.Bytes, s.Tensor1Shape.Position, 4294967);
            var e = Fails(s.Bytes);
            Assert.Equal(s.Tensor1Shape.Position, e.Offset);
            Assert.Equal("subgraphs[0].tensors[1].shape", e.Path);
            Assert.Contains("vector length 4294967", e.Message);
            Assert.Contains("bytes left in the file", e.Message);
            Assert.Contains("offset 0x" + s.Tensor1Shape.Position.ToString("X") + " (subgraphs[0].tensors[1].shape)", e.Message);
        }

        [Fact]
        public void Parse_VectorLengthMaxUInt_ThrowsBeforeAllocating()
        {
            var s = BuildSample();
            Put32(s.Bytes, s.OpInputs.Position, uint.MaxValue);
            var e = Fails(s.Bytes);
            Assert.Equal(s.OpInputs.Position, e.Offset);
            Assert.Equal("subgraphs[0].operators[0].inputs", e.Path);
        }

        [Fact]
        public void Parse_StringWithoutTerminator_ThrowsAtTerminator()
        {
            var s = BuildSample();
            int terminator = s.Tensor0Name.DataPosition + 3;
            Assert.Equal(0, s.Bytes[terminator]);
            s.Bytes[terminator] = (byte)'X';
            var e = Fails(s.Bytes);
            Assert.Equal(terminator, e.Offset);
            Assert.Equal("subgraphs[0].tensors[0].name", e.Path);
            Assert.Contains("not 0-terminated", e.Message);
        }

        [Fact]
        public void Parse_StringPastEnd_ThrowsAtLength()
        {
            var s = BuildSample();
            Put32(s.Bytes, s.Tensor0Name.Position, (uint)s.Bytes.Length);
            var e = Fails(s.Bytes);
            Assert.Equal(s.Tensor0Name.Position, e.Offset);
            Assert.Equal("subgraphs[0].tensors[0].name", e.Path);
            Assert.Contains("string length", e.Message);
        }

        [Fact]
        public void Parse_OffsetFieldPastEnd_ThrowsWithFieldPath()
        {
            var s = BuildSample();
            int at = s.Subgraph.FieldPositions[4]; // name
            Put32(s.Bytes, at, 0x7FFFFFF0);
            var e = Fails(s.Bytes);
            Assert.Equal(at, e.Offset);
            Assert.Equal("subgraphs[0].name", e.Path);
        }

        [Fact]
        public void Parse_OpcodeIndexOutOfRange_ThrowsNamingOperator()
        {
            var s = BuildSample(x => x.Operator.Set(0, new U32(5)));
            var e = Fails(s.Bytes);
            Assert.Equal(s.Operator.FieldPositions[0], e.Offset);
            Assert.Equal("subgraphs[0].operators[0].opcode_index", e.Path);
            Assert.Contains("opcode_index 5 is out of range (the model has 1 operator codes)", e.Message);
        }

        [Fact]
        public void Parse_OperatorInputOutOfRange_ThrowsNamingOperatorAndTensor()
        {
            var s = BuildSample(x => x.Operator.Set(1, x.OpInputs = Ints(0, 7)));
            var e = Fails(s.Bytes);
            Assert.Equal(s.OpInputs.DataPosition + 4, e.Offset);
            Assert.Equal("subgraphs[0].operators[0].inputs", e.Path);
            Assert.Contains("operator 0 (ADD): input 1 refers to tensor 7", e.Message);
            Assert.Contains("3 tensors", e.Message);
        }

        [Fact]
        public void Parse_NegativeTensorIndex_Throws()
        {
            var s = BuildSample(x => x.Operator.Set(1, x.OpInputs = Ints(0, -2)));
            var e = Fails(s.Bytes);
            Assert.Equal("subgraphs[0].operators[0].inputs", e.Path);
        }

        [Fact]
        public void Parse_OptionalInputMinusOne_IsAccepted()
        {
            var s = BuildSample(x => x.Operator.Set(1, Ints(0, 1, -1)));
            var m = TfliteModel.Parse(s.Bytes, File);
            Assert.Equal(new[] { 0, 1, -1 }, m.Subgraphs[0].Operators[0].Inputs);
        }

        [Fact]
        public void Parse_SubgraphOutputOutOfRange_Throws()
        {
            var s = BuildSample(x => x.Subgraph.Set(2, x.SgOutputs = Ints(3)));
            var e = Fails(s.Bytes);
            Assert.Equal(s.SgOutputs.DataPosition, e.Offset);
            Assert.Equal("subgraphs[0].outputs", e.Path);
            Assert.Contains("subgraph 0 output 0 refers to tensor 3", e.Message);
        }

        [Fact]
        public void Parse_TensorBufferOutOfRange_Throws()
        {
            var s = BuildSample(x => x.Tensors[2].Set(2, new U32(9)));
            var e = Fails(s.Bytes);
            Assert.Equal(s.Tensors[2].FieldPositions[2], e.Offset);
            Assert.Equal("subgraphs[0].tensors[2].buffer", e.Path);
            Assert.Contains("buffer index 9 is out of range (the model has 2 buffers)", e.Message);
        }

        [Fact]
        public void Parse_MisalignedInt32Field_ThrowsMisaligned()
        {
            var s = BuildSample();
            // Point opcode_index (4-byte field) at an odd offset inside the operator table.
            int slot = s.Operator.VtablePosition + 4;
            int off = s.Operator.FieldPositions[0] - s.Operator.Position + 1;
            s.Bytes[slot] = (byte)off;
            s.Bytes[slot + 1] = 0;
            var e = Fails(s.Bytes);
            Assert.Equal("subgraphs[0].operators[0].opcode_index", e.Path);
            Assert.Contains("misaligned", e.Message);
        }

        [Fact]
        public void Parse_DeprecatedAndExtendedBuiltinCode_TakesMaximum()
        {
            var s = BuildSample(x =>
            {
                x.Root.Set(1, Refs(
                    T().Set(0, new I8(3)),                                // v3 file: only deprecated_builtin_code (CONV_2D)
                    T().Set(0, new I8(127)).Set(3, new I32(150)),         // PLACEHOLDER_FOR_GREATER_OP_CODES + GELU
                    T().Set(3, new I32(9)),                               // only builtin_code (FULLY_CONNECTED)
                    T().Set(0, new I8(32)).Set(1, S("MyOp")).Set(3, new I32(32))));
            });
            var m = TfliteModel.Parse(s.Bytes, File);
            Assert.Equal(new[] { 3, 150, 9, 32 }, Array.ConvertAll(m.OperatorCodes, c => c.BuiltinCode));
            Assert.Equal(new[] { 1, 1, 1, 1 }, Array.ConvertAll(m.OperatorCodes, c => c.Version)); // schema default 1
            Assert.Equal("GELU", m.OperatorCodes[1].DisplayName);
            Assert.Equal("CUSTOM:MyOp", m.OperatorCodes[3].DisplayName);
            Assert.Equal("CONV_2D", BuiltinOperators.Name(m.OperatorCodes[0].BuiltinCode));
        }

        [Fact]
        public void Parse_EmptyOptionTables_ApplySchemaDefaults()
        {
            var s = BuildSample(x =>
            {
                x.Operator.Set(3, new U8(1)).Set(4, T()); // Conv2DOptions with no fields
            });
            var conv = Assert.IsType<Conv2DOptions>(TfliteModel.Parse(s.Bytes, File).Subgraphs[0].Operators[0].BuiltinOptions);
            Assert.Equal(1, conv.DilationWFactor);
            Assert.Equal(1, conv.DilationHFactor);
            Assert.Equal(Padding.SAME, conv.Padding);
            Assert.Equal(0, conv.StrideW);
            Assert.Equal(ActivationFunctionType.NONE, conv.FusedActivationFunction);
        }

        [Fact]
        public void Parse_UnionTypeWithoutValue_GivesNullOptions()
        {
            var s = BuildSample(x => { x.Operator.Fields.Remove(4); });
            var op = TfliteModel.Parse(s.Bytes, File).Subgraphs[0].Operators[0];
            Assert.Equal(11, op.BuiltinOptionsType);
            Assert.Null(op.BuiltinOptions);
        }

        [Fact]
        public void Parse_ExternalBufferForm_ResolvesDataAfterFlatbuffer()
        {
            byte[] trailer = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
            // The trailer position is only known after writing; the layout does not depend on the values, so write twice.
            var s0 = BuildSample(x => { x.Buffer1.Fields.Clear(); x.Buffer1.Set(1, new U64(0)).Set(2, new U64(0)); });
            int trailerPos = (s0.Bytes.Length + 15) / 16 * 16;
            var s = BuildSample(x =>
            {
                x.Buffer1.Fields.Clear();
                x.Buffer1.Set(1, new U64((ulong)trailerPos)).Set(2, new U64((ulong)trailer.Length));
            }, trailer);
            var m = TfliteModel.Parse(s.Bytes, File);
            Assert.Equal(trailer, m.Buffers[1].Data);
            Assert.True(m.Buffers[1].IsExternal);
            Assert.Equal(trailer.Length, m.Buffers[1].Size);
        }

        [Fact]
        public void Parse_ExternalBufferPastEnd_Throws()
        {
            var s = BuildSample(x =>
            {
                x.Buffer1.Fields.Clear();
                x.Buffer1.Set(1, new U64(64)).Set(2, new U64(1UL << 40));
            });
            var e = Fails(s.Bytes);
            Assert.Equal(s.Buffer1.FieldPositions[1], e.Offset);
            Assert.Equal("buffers[1].offset", e.Path);
            Assert.Contains("runs past the end", e.Message);
        }

        [Fact]
        public void Parse_OffsetOneMeansInlineData_UsesDataVector()
        {
            var s = BuildSample(x => x.Buffer1.Set(1, new U64(1)).Set(2, new U64(0)));
            var m = TfliteModel.Parse(s.Bytes, File);
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, m.Buffers[1].Data);
            Assert.False(m.Buffers[1].IsExternal);
        }

        [Fact]
        public void Parse_SharedBufferReferencedManyTimes_ThrowsWorkBudgetNotOutOfMemory()
        {
            var big = T().Set(0, Bytes(new byte[64 * 1024]));
            var many = new Node[20000];
            for (int i = 0; i < many.Length; i++) many[i] = big;
            var s = BuildSample(x => x.Root.Set(4, Refs(many)));
            var e = Fails(s.Bytes);
            Assert.StartsWith("buffers[", e.Path);
            Assert.Contains("visit more than", e.Message);
        }

        [Fact]
        public void Parse_SharedSubgraphReferencedManyTimes_ThrowsWorkBudgetInsteadOfQuadraticWork()
        {
            // 20000 subgraph references to one subgraph of 2000 tensors: 40 million tensor visits unless bounded.
            var tensors = new Node[2000];
            var oneTensor = T().Set(0, Ints(1, 4)).Set(1, new I8(9));
            for (int i = 0; i < tensors.Length; i++) tensors[i] = oneTensor;
            var subgraph = T().Set(0, Refs(tensors));
            var many = new Node[20000];
            for (int i = 0; i < many.Length; i++) many[i] = subgraph;
            var s = BuildSample(x => x.Root.Set(2, Refs(many)));
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var e = Fails(s.Bytes);
            Assert.StartsWith("subgraphs[", e.Path);
            Assert.Contains("visit more than", e.Message);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), "took " + sw.Elapsed);
        }

        [Fact]
        public void Exception_Message_HasFileOffsetPathAndDetail()
        {
            var e = new TfliteFormatException("person.tflite", 0x1A2C, "subgraphs[0].tensors[12].shape",
                "vector length 4294967 exceeds the 1024 bytes left in the file");
            Assert.Equal("person.tflite: offset 0x1A2C (subgraphs[0].tensors[12].shape): vector length 4294967 exceeds the 1024 bytes left in the file",
                e.Message);
            var noOffset = new TfliteFormatException("a.tflite", -1, "", "bad");
            Assert.Equal("a.tflite: bad", noOffset.Message);
        }

        [Fact]
        public void BuiltinOperatorsName_KnownAndUnknownCodes_ReturnsSchemaNameOrPlaceholder()
        {
            Assert.Equal("ADD", BuiltinOperators.Name(0));
            Assert.Equal("CONV_2D", BuiltinOperators.Name(3));
            Assert.Equal("UNIDIRECTIONAL_SEQUENCE_LSTM", BuiltinOperators.Name(44));
            Assert.Equal("TRANSPOSE_CONV", BuiltinOperators.Name(67));
            Assert.Equal("LEAKY_RELU", BuiltinOperators.Name(98));
            Assert.Equal("QUANTIZE", BuiltinOperators.Name(114));
            Assert.Equal("HARD_SWISH", BuiltinOperators.Name(117));
            Assert.Equal("GELU", BuiltinOperators.Name(150));
            Assert.Equal("STABLEHLO_CASE", BuiltinOperators.Name(209));
            Assert.Equal("BUILTIN_210", BuiltinOperators.Name(210));
            Assert.Equal("BUILTIN_-1", BuiltinOperators.Name(-1));
            for (int c = 0; c <= 209; c++) Assert.True(BuiltinOperators.IsKnown(c), "code " + c);
            Assert.Equal("Conv2DOptions", BuiltinOptionsTypes.Name(1));
            Assert.Equal("LeakyReluOptions", BuiltinOptionsTypes.Name(75));
            Assert.Equal("RightShiftOptions", BuiltinOptionsTypes.Name(126));
            Assert.Equal("BuiltinOptions_127", BuiltinOptionsTypes.Name(127));
        }
    }
}
