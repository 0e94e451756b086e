using System;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;

namespace Mote.Runtime
{
    /// <summary>
    /// A validated, read-in-place view of a .mote blob (docs/blob-format.md).
    /// <see cref="Load(byte[])"/> checks every header field, section, tensor and operator and
    /// prepares the kernels' parameter objects; weights stay in the caller's array.
    /// </summary>
    public sealed class Model
    {
        // Section table, indexed by kind (0 = absent).
        readonly int[] sectionStart = new int[BlobFormat.SectionScales + 1];
        readonly int[] sectionLength = new int[BlobFormat.SectionScales + 1];
        readonly int[] sectionCount = new int[BlobFormat.SectionScales + 1];

        TensorInfo[] tensors;
        OperatorInfo[] operators;
        int[] inputs;
        int[] outputs;

        /// <summary>The blob, read in place (never copied).</summary>
        public byte[] Blob { get; private set; }
        public int Length { get; private set; }
        public int MajorVersion { get; private set; }
        public int MinorVersion { get; private set; }
        public uint Crc { get; private set; }
        public int ArenaBytes { get; private set; }
        public int WeightsLayout { get; private set; }
        public int TensorCount { get { return tensors.Length; } }
        public int OperatorCount { get { return operators.Length; } }
        public int InputCount { get { return inputs.Length; } }
        public int OutputCount { get { return outputs.Length; } }
        /// <summary>Bytes of the CONSTANTS section (weights, biases, requantization tables).</summary>
        public int ConstantBytes { get { return sectionLength[BlobFormat.SectionConstants]; } }

        public TensorInfo GetTensor(int index) { return tensors[index]; }
        public OperatorInfo GetOperator(int index) { return operators[index]; }
        public int GetInputTensorIndex(int i) { return inputs[i]; }
        public int GetOutputTensorIndex(int i) { return outputs[i]; }
        public TensorInfo GetInput(int i) { return tensors[inputs[i]]; }
        public TensorInfo GetOutput(int i) { return tensors[outputs[i]]; }

        /// <summary>Per-channel scale <paramref name="channel"/> of a tensor (tools only).</summary>
        public float GetScale(TensorInfo t, int channel)
        {
            if (t.ScaleCount == 0) return t.Scale;
            return BitConverter.ToSingle(Blob, sectionStart[BlobFormat.SectionScales] + 4 * (t.ScaleIndex + channel));
        }

        Model(byte[] blob) { Blob = blob; }

        /// <summary>Validates <paramref name="blob"/> and prepares it for <see cref="Interpreter"/>.</summary>
        /// <exception cref="MoteFormatException">anything malformed, naming the section and byte offset.</exception>
        public static Model Load(byte[] blob)
        {
            if (blob == null) throw new ArgumentNullException("blob");
            Model m = new Model(blob);
            m.ReadHeader();
            m.ReadSections();
            m.ReadTensors();
            m.ReadIo();
            m.ReadOperators();
            return m;
        }

        // ---------------------------------------------------------------- header and sections

        void ReadHeader()
        {
            byte[] b = Blob;
            if (b.Length < BlobFormat.HeaderSize)
                throw new MoteFormatException("header", -1, "blob is " + b.Length + " bytes, shorter than the 64-byte header (truncated?)");
            if (b[0] != 0x4D || b[1] != 0x4F || b[2] != 0x54 || b[3] != 0x45)
                throw new MoteFormatException("header", 0, "magic is not \"MOTE\" (not a .mote blob)");
            MajorVersion = LittleEndian.ReadUInt16(b, BlobFormat.OffMajor);
            MinorVersion = LittleEndian.ReadUInt16(b, BlobFormat.OffMinor);
            if (MajorVersion != BlobFormat.MajorVersion)
                throw new MoteFormatException("header", BlobFormat.OffMajor, "format " + MajorVersion + "." + MinorVersion
                    + " is not supported by this runtime (reads " + BlobFormat.MajorVersion + ".x); repack the model with a matching mote");
            if (LittleEndian.ReadInt32(b, BlobFormat.OffHeaderSize) != BlobFormat.HeaderSize)
                throw new MoteFormatException("header", BlobFormat.OffHeaderSize, "header size is not 64");
            uint total = LittleEndian.ReadUInt32(b, BlobFormat.OffTotalLength);
            if (total < BlobFormat.HeaderSize || total > (uint)b.Length)
                throw new MoteFormatException("header", BlobFormat.OffTotalLength, "total length " + total + " does not fit the "
                    + b.Length + "-byte buffer (truncated blob?)");
            Length = (int)total;
            Crc = LittleEndian.ReadUInt32(b, BlobFormat.OffCrc);
            uint actual = Crc32.Compute(b, BlobFormat.CrcStart, Length - BlobFormat.CrcStart);
            if (actual != Crc)
                throw new MoteFormatException("header", BlobFormat.OffCrc, "CRC-32 mismatch: header says 0x" + Crc.ToString("X8")
                    + ", content has 0x" + actual.ToString("X8") + " (corrupted or partly written blob)");
            if (LittleEndian.ReadInt32(b, BlobFormat.OffFlags) != 0)
                throw new MoteFormatException("header", BlobFormat.OffFlags, "unknown flags set");
            int arena = LittleEndian.ReadInt32(b, BlobFormat.OffArenaBytes);
            if (arena < 0 || arena % BlobFormat.Alignment != 0)
                throw new MoteFormatException("header", BlobFormat.OffArenaBytes, "arena size " + arena + " is negative or not a multiple of 16");
            ArenaBytes = arena;
            WeightsLayout = LittleEndian.ReadInt32(b, BlobFormat.OffWeightsLayout);
            if (WeightsLayout != 0)
                throw new MoteFormatException("header", BlobFormat.OffWeightsLayout, "weights layout " + WeightsLayout + " is not supported by the reference runtime");
        }

        void ReadSections()
        {
            byte[] b = Blob;
            int count = LittleEndian.ReadInt32(b, BlobFormat.OffSectionCount);
            int table = LittleEndian.ReadInt32(b, BlobFormat.OffSectionTable);
            if (count < 1 || count > BlobFormat.MaxSections)
                throw new MoteFormatException("header", BlobFormat.OffSectionCount, "section count " + count + " is outside 1..16");
            if (table != BlobFormat.HeaderSize)
                throw new MoteFormatException("header", BlobFormat.OffSectionTable, "section table must follow the header at offset 64");
            int tableEnd = table + count * BlobFormat.SectionEntrySize;
            if (tableEnd > Length)
                throw new MoteFormatException("section table", table, "runs past the end of the blob");

            int[] starts = new int[count];
            int[] ends = new int[count];
            for (int i = 0; i < count; i++)
            {
                int e = table + i * BlobFormat.SectionEntrySize;
                int kind = LittleEndian.ReadInt32(b, e);
                int start = LittleEndian.ReadInt32(b, e + 4);
                int length = LittleEndian.ReadInt32(b, e + 8);
                int n = LittleEndian.ReadInt32(b, e + 12);
                string name = BlobFormat.SectionName(kind);
                if (start < tableEnd || length < 0 || n < 0 || (long)start + length > Length)
                    throw new MoteFormatException(name, e, "section [" + start + ", +" + length + ") lies outside the blob body [" + tableEnd + ", " + Length + ")");
                if (start % BlobFormat.Alignment != 0)
                    throw new MoteFormatException(name, e + 4, "section offset " + start + " is not a multiple of 16");
                for (int j = 0; j < i; j++)
                    if (start < ends[j] && starts[j] < start + length)
                        throw new MoteFormatException(name, e, "section overlaps another section");
                starts[i] = start;
                ends[i] = start + length;
                if (kind < 1 || kind > BlobFormat.SectionScales) continue; // unknown kind: a later minor version's addition
                if (sectionLength[kind] != 0 || sectionStart[kind] != 0)
                    throw new MoteFormatException(name, e, "section kind appears twice");
                int recordSize = RecordSize(kind);
                if (recordSize > 0 && (long)n * recordSize != length)
                    throw new MoteFormatException(name, e + 12, "count " + n + " x " + recordSize + " bytes does not equal the section length " + length);
                sectionStart[kind] = start;
                sectionLength[kind] = length;
                sectionCount[kind] = n;
            }
            RequireSection(BlobFormat.SectionTensors);
            RequireSection(BlobFormat.SectionOperators);
            RequireSection(BlobFormat.SectionIndices);
            RequireSection(BlobFormat.SectionParams);
            RequireSection(BlobFormat.SectionIo);
            RequireSection(BlobFormat.SectionConstants);
        }

        static int RecordSize(int kind)
        {
            switch (kind)
            {
                case BlobFormat.SectionTensors: return BlobFormat.TensorRecordSize;
                case BlobFormat.SectionOperators: return BlobFormat.OperatorRecordSize;
                case BlobFormat.SectionIndices: return 2;
                case BlobFormat.SectionParams: case BlobFormat.SectionIo: case BlobFormat.SectionScales: return 4;
                case BlobFormat.SectionStrings: case BlobFormat.SectionConstants: return 1;
                default: return 0;
            }
        }

        void RequireSection(int kind)
        {
            if (sectionStart[kind] == 0)
                throw new MoteFormatException(BlobFormat.SectionName(kind), -1, "required section is missing");
        }

        // ---------------------------------------------------------------- tensors

        void ReadTensors()
        {
            byte[] b = Blob;
            int n = sectionCount[BlobFormat.SectionTensors];
            tensors = new TensorInfo[n];
            int constStart = sectionStart[BlobFormat.SectionConstants];
            int constEnd = constStart + sectionLength[BlobFormat.SectionConstants];
            for (int i = 0; i < n; i++)
            {
                int r = sectionStart[BlobFormat.SectionTensors] + i * BlobFormat.TensorRecordSize;
                TensorInfo t = new TensorInfo();
                t.Index = i;
                t.DataType = b[r];
                int rank = b[r + 1];
                int storage = b[r + 2];
                int esize = DataType.Size(t.DataType);
                if (esize == 0) throw Tensor(i, r, "unknown dtype " + t.DataType);
                if (rank > BlobFormat.MaxRank) throw Tensor(i, r + 1, "rank " + rank + " exceeds 6");
                if (storage != BlobFormat.StorageArena && storage != BlobFormat.StorageConstant) throw Tensor(i, r + 2, "unknown storage kind " + storage);
                t.IsConstant = storage == BlobFormat.StorageConstant;
                int[] shape = new int[rank];
                long elements = 1;
                for (int d = 0; d < rank; d++)
                {
                    int v = LittleEndian.ReadInt32(b, r + 4 + 4 * d);
                    if (v < 1) throw Tensor(i, r + 4 + 4 * d, "dimension " + d + " is " + v + " (must be >= 1)");
                    elements *= v;
                    if (elements > int.MaxValue) throw Tensor(i, r + 4 + 4 * d, "element count overflows");
                    shape[d] = v;
                }
                t.Shape = shape;
                t.Start = LittleEndian.ReadInt32(b, r + 28);
                t.Bytes = LittleEndian.ReadInt32(b, r + 32);
                if (elements * esize != t.Bytes)
                    throw Tensor(i, r + 32, "byte size " + t.Bytes + " does not equal " + elements + " elements x " + esize + " bytes");
                if (t.IsConstant)
                {
                    if (t.Start < constStart || (long)t.Start + t.Bytes > constEnd)
                        throw Tensor(i, r + 28, "constant data [" + t.Start + ", +" + t.Bytes + ") lies outside the CONSTANTS section");
                }
                else
                {
                    if (t.Start < 0 || (long)t.Start + t.Bytes > ArenaBytes)
                        throw Tensor(i, r + 28, "arena range [" + t.Start + ", +" + t.Bytes + ") lies outside the " + ArenaBytes + "-byte arena");
                    if (t.Start % BlobFormat.Alignment != 0)
                        throw Tensor(i, r + 28, "arena offset " + t.Start + " is not a multiple of 16");
                }
                t.ZeroPoint = LittleEndian.ReadInt32(b, r + 36);
                t.Scale = BitConverter.ToSingle(b, r + 40);
                t.ScaleIndex = LittleEndian.ReadInt32(b, r + 44);
                t.ScaleCount = LittleEndian.ReadInt32(b, r + 48);
                if (t.ScaleCount != 0)
                {
                    if (t.ScaleCount < 0 || t.ScaleIndex < 0 || (long)t.ScaleIndex + t.ScaleCount > sectionCount[BlobFormat.SectionScales])
                        throw Tensor(i, r + 44, "scale range lies outside the SCALES section");
                }
                ReadName(t, LittleEndian.ReadInt32(b, r + 52), r + 52);
                t.SourceIndex = LittleEndian.ReadInt32(b, r + 56);
                tensors[i] = t;
            }
        }

        MoteFormatException Tensor(int index, int offset, string message)
        {
            return new MoteFormatException("TENSORS", offset, "tensor " + index + ": " + message);
        }

        void ReadName(TensorInfo t, int offset, int fieldOffset)
        {
            if (offset == -1) return;
            int start = sectionStart[BlobFormat.SectionStrings];
            int length = sectionLength[BlobFormat.SectionStrings];
            if (start == 0 || offset < 0 || offset >= length)
                throw Tensor(t.Index, fieldOffset, "name offset " + offset + " lies outside the STRINGS section");
            int end = start + length;
            int p = start + offset;
            int q = p;
            while (q < end && Blob[q] != 0) q++;
            if (q == end) throw Tensor(t.Index, fieldOffset, "name is not NUL-terminated inside STRINGS");
            t.NameBlob = Blob;
            t.NameStart = p;
            t.NameEnd = q;
        }

        // ---------------------------------------------------------------- model inputs and outputs

        void ReadIo()
        {
            byte[] b = Blob;
            int s = sectionStart[BlobFormat.SectionIo];
            int words = sectionCount[BlobFormat.SectionIo];
            if (words < 2) throw new MoteFormatException("IO", s, "section holds fewer than 2 words");
            int nin = LittleEndian.ReadInt32(b, s);
            int nout = LittleEndian.ReadInt32(b, s + 4);
            if (nin < 1 || nout < 1 || (long)nin + nout + 2 != words)
                throw new MoteFormatException("IO", s, nin + " inputs and " + nout + " outputs do not match the section's " + words + " words");
            inputs = new int[nin];
            outputs = new int[nout];
            for (int i = 0; i < nin + nout; i++)
            {
                int at = s + 8 + 4 * i;
                int t = LittleEndian.ReadInt32(b, at);
                if (t < 0 || t >= tensors.Length)
                    throw new MoteFormatException("IO", at, "tensor index " + t + " is out of range (0.." + (tensors.Length - 1) + ")");
                if (tensors[t].IsConstant)
                    throw new MoteFormatException("IO", at, "model input/output tensor " + t + " is a constant");
                if (i < nin) inputs[i] = t; else outputs[i - nin] = t;
            }
        }

        // ---------------------------------------------------------------- operators

        void ReadOperators()
        {
            byte[] b = Blob;
            int n = sectionCount[BlobFormat.SectionOperators];
            operators = new OperatorInfo[n];
            int idxStart = sectionStart[BlobFormat.SectionIndices];
            int idxCount = sectionCount[BlobFormat.SectionIndices];
            int parStart = sectionStart[BlobFormat.SectionParams];
            int parCount = sectionCount[BlobFormat.SectionParams];
            for (int i = 0; i < n; i++)
            {
                int r = sectionStart[BlobFormat.SectionOperators] + i * BlobFormat.OperatorRecordSize;
                OperatorInfo op = new OperatorInfo();
                op.Index = i;
                op.Code = LittleEndian.ReadUInt16(b, r);
                int nin = b[r + 2];
                int nout = b[r + 3];
                int firstIndex = LittleEndian.ReadInt32(b, r + 4);
                op.ParamStart = LittleEndian.ReadInt32(b, r + 8);
                op.ParamCount = LittleEndian.ReadInt32(b, r + 12);
                op.SourceIndex = LittleEndian.ReadInt32(b, r + 16);
                op.SourceBuiltinCode = LittleEndian.ReadInt32(b, r + 20);
                op.MultiplierStart = -1;
                op.ShiftStart = -1;
                int words = OpCode.ParamWords(op.Code);
                if (words < 0)
                    throw new MoteFormatException("OPERATORS", r, "operator " + i + ": op code " + op.Code
                        + " is unknown to this runtime (blob minor version " + MinorVersion + "; runtime knows up to op code " + OpCode.Max + ")");
                if (OpCode.SinceMinorVersion(op.Code) > MinorVersion)
                    throw Op(op, r, "op code " + op.Code + " needs format 1." + OpCode.SinceMinorVersion(op.Code)
                        + " but the blob declares 1." + MinorVersion + " (a writer bug)");
                int minIn = OpCode.InputCount(op.Code), maxIn = OpCode.MaxInputCount(op.Code);
                if (nin < minIn || nin > maxIn || nout != 1)
                    throw Op(op, r + 2, "has " + nin + " inputs and " + nout + " outputs, expected "
                        + (minIn == maxIn ? minIn.ToString() : minIn + ".." + maxIn) + " and 1");
                if (op.ParamCount != words)
                    throw Op(op, r + 12, "has " + op.ParamCount + " parameter words, expected " + words);
                if (firstIndex < 0 || (long)firstIndex + nin + nout > idxCount)
                    throw Op(op, r + 4, "tensor index list lies outside INDICES");
                if (op.ParamStart < 0 || (long)op.ParamStart + words > parCount)
                    throw Op(op, r + 8, "parameters lie outside PARAMS");
                op.Inputs = new int[nin];
                op.Outputs = new int[nout];
                for (int k = 0; k < nin + nout; k++)
                {
                    int at = idxStart + 2 * (firstIndex + k);
                    int t = LittleEndian.ReadInt16(b, at);
                    bool optional = k < nin && IsOptionalInput(op.Code, k);
                    if (t < -1 || t >= tensors.Length || (t == -1 && !optional))
                        throw Op(op, at, (k < nin ? "input " + k : "output") + " tensor index " + t + " is out of range (0.." + (tensors.Length - 1) + ")");
                    if (k < nin) op.Inputs[k] = t; else op.Outputs[k - nin] = t;
                }
                if (tensors[op.Outputs[0]].IsConstant) throw Op(op, r, "writes to constant tensor " + op.Outputs[0]);
                Prepare(op, parStart + 4 * op.ParamStart);
                operators[i] = op;
            }
        }

        static bool IsOptionalInput(int code, int input)
        {
            // The bias of convolutions and fully-connected layers may be absent.
            return input == 2 && (code == OpCode.Conv2D || code == OpCode.DepthwiseConv2D || code == OpCode.FullyConnected);
        }

        MoteFormatException Op(OperatorInfo op, int offset, string message)
        {
            return new MoteFormatException("OPERATORS", offset, "operator " + op.Index + " (" + op.Name + "): " + message);
        }

        int Word(int paramsAt, int k) { return LittleEndian.ReadInt32(Blob, paramsAt + 4 * k); }

        TensorInfo In(OperatorInfo op, int k) { return op.Inputs[k] < 0 ? null : tensors[op.Inputs[k]]; }

        void Prepare(OperatorInfo op, int p)
        {
            switch (op.Code)
            {
                case OpCode.Conv2D:
                case OpCode.DepthwiseConv2D:
                    op.Params = PrepareConv(op, p);
                    break;
                case OpCode.FullyConnected:
                    op.Params = PrepareFullyConnected(op, p);
                    break;
                case OpCode.Add:
                    op.Params = PrepareAdd(op, p);
                    break;
                case OpCode.AveragePool2D:
                case OpCode.MaxPool2D:
                    op.Params = PreparePool(op, p);
                    break;
                case OpCode.Softmax:
                    op.Params = PrepareSoftmax(op, p);
                    break;
                case OpCode.Reshape:
                case OpCode.Squeeze:
                    if (In(op, 0).Bytes != tensors[op.Outputs[0]].Bytes)
                        throw Op(op, -1, "input has " + In(op, 0).Bytes + " bytes but output has " + tensors[op.Outputs[0]].Bytes);
                    break;
                case OpCode.Mul:
                    op.Params = PrepareMul(op, p);
                    break;
                case OpCode.Logistic:
                case OpCode.Tanh:
                    op.Params = PrepareFixedPointActivation(op, p);
                    break;
                case OpCode.LeakyRelu:
                    op.Params = PrepareLeakyRelu(op, p);
                    break;
                case OpCode.Relu:
                    op.Params = PrepareRelu(op, p);
                    break;
                case OpCode.Relu6:
                    op.Params = PrepareRelu6(op, p);
                    break;
                case OpCode.Pad:
                    op.Params = PreparePad(op, p);
                    break;
                case OpCode.Concatenation:
                    op.Params = PrepareConcatenation(op, p);
                    break;
                case OpCode.Quantize:
                    op.Params = PrepareQuantize(op, p);
                    break;
                case OpCode.HardSwish:
                    op.Params = PrepareHardSwish(op, p);
                    break;
                case OpCode.Mean:
                    op.Params = PrepareMean(op, p);
                    break;
            }
        }

        void RequireType(OperatorInfo op, TensorInfo t, int dtype, int rank, string role)
        {
            if (t.DataType != dtype)
                throw Op(op, -1, role + " tensor " + t.Index + " is " + DataType.Name(t.DataType) + ", expected " + DataType.Name(dtype));
            if (rank >= 0 && t.Shape.Length != rank)
                throw Op(op, -1, role + " tensor " + t.Index + " has rank " + t.Shape.Length + ", expected " + rank);
        }

        void RequireActivationRange(OperatorInfo op, int min, int max, int at)
        {
            if (min < -128 || max > 127 || min > max)
                throw Op(op, at, "activation range [" + min + ", " + max + "] is not inside [-128, 127]");
        }

        static bool InRange(int v, int lo, int hi) { return v >= lo && v <= hi; }

        /// <summary>
        /// Checks an op's input offset (minus an int8 zero point, [-127, 128]) and output offset
        /// (an int8 zero point, [-128, 127]).
        /// </summary>
        void RequireOffsets(OperatorInfo op, int inputOffset, int outputOffset, int at)
        {
            if (!InRange(inputOffset, -127, 128) || !InRange(outputOffset, -128, 127))
                throw Op(op, at, "zero point offsets out of int8 range");
        }

        /// <summary>
        /// Checks an output extent against TFLM's padding rule: SAME gives ceil(in/stride), VALID
        /// gives (in - effective + stride)/stride, and the leading pad is max(total, 0)/2.
        /// </summary>
        void RequireSpatial(OperatorInfo op, string axis, int input, int filter, int stride, int dilation, int pad, int output, int at)
        {
            if (!InRange(stride, 1, 65535) || !InRange(dilation, 1, 65535) || !InRange(filter, 1, 65535))
                throw Op(op, at, axis + ": stride " + stride + ", dilation " + dilation + " or filter " + filter + " is outside 1..65535");
            long effective = (long)(filter - 1) * dilation + 1;
            long same = ((long)input + stride - 1) / stride;
            long valid = ((long)input - effective + stride) / stride;
            if (output != same && output != valid)
                throw Op(op, at, axis + ": output extent " + output + " matches neither SAME (" + same + ") nor VALID (" + valid + ") for input " + input);
            long total = (output - 1L) * stride + effective - input;
            long expectPad = total > 0 ? total / 2 : 0;
            if (pad != expectPad && !(output == valid && pad == 0))
                throw Op(op, at, axis + ": leading pad " + pad + " differs from the " + expectPad + " TFLite computes");
        }

        int RequireTable(OperatorInfo op, int offset, int entries, bool shifts, int at)
        {
            int cs = sectionStart[BlobFormat.SectionConstants];
            int ce = cs + sectionLength[BlobFormat.SectionConstants];
            if (offset < cs || offset % 4 != 0 || (long)offset + 4L * entries > ce)
                throw Op(op, at, (shifts ? "shift" : "multiplier") + " table at " + offset + " (" + entries + " entries) lies outside CONSTANTS");
            for (int c = 0; c < entries; c++)
            {
                int v = LittleEndian.ReadInt32(Blob, offset + 4 * c);
                if (shifts ? !InRange(v, -31, 30) : v < 0)
                    throw Op(op, offset + 4 * c, (shifts ? "shift " : "multiplier ") + v + " of channel " + c + " is out of range");
            }
            return offset;
        }

        void RequireBias(OperatorInfo op, TensorInfo bias, int channels)
        {
            if (bias == null) return;
            RequireType(op, bias, DataType.Int32, -1, "bias");
            if (bias.ElementCount != channels)
                throw Op(op, -1, "bias tensor " + bias.Index + " has " + bias.ElementCount + " elements, expected " + channels);
        }

        ConvParams PrepareConv(OperatorInfo op, int p)
        {
            bool depthwise = op.Code == OpCode.DepthwiseConv2D;
            TensorInfo input = In(op, 0), filter = In(op, 1), bias = In(op, 2), output = tensors[op.Outputs[0]];
            RequireType(op, input, DataType.Int8, 4, "input");
            RequireType(op, filter, DataType.Int8, 4, "filter");
            RequireType(op, output, DataType.Int8, 4, "output");
            if (!filter.IsConstant) throw Op(op, -1, "filter tensor " + filter.Index + " is not constant");
            ConvParams c = new ConvParams();
            c.Batches = input.Shape[0];
            c.InputHeight = input.Shape[1];
            c.InputWidth = input.Shape[2];
            c.InputChannels = input.Shape[3];
            c.FilterHeight = filter.Shape[1];
            c.FilterWidth = filter.Shape[2];
            c.OutputHeight = output.Shape[1];
            c.OutputWidth = output.Shape[2];
            c.OutputChannels = output.Shape[3];
            c.StrideHeight = Word(p, 0);
            c.StrideWidth = Word(p, 1);
            c.DilationHeight = Word(p, 2);
            c.DilationWidth = Word(p, 3);
            c.PadTop = Word(p, 4);
            c.PadLeft = Word(p, 5);
            c.InputOffset = Word(p, 6);
            c.OutputOffset = Word(p, 7);
            c.ActivationMin = Word(p, 8);
            c.ActivationMax = Word(p, 9);
            c.DepthMultiplier = Word(p, 10);
            if (output.Shape[0] != c.Batches) throw Op(op, -1, "output batch " + output.Shape[0] + " differs from input batch " + c.Batches);
            if (depthwise)
            {
                if (filter.Shape[0] != 1) throw Op(op, -1, "depthwise filter must be [1,KH,KW,C], got " + filter.ShapeText());
                if (c.DepthMultiplier < 1 || (long)c.InputChannels * c.DepthMultiplier != c.OutputChannels || filter.Shape[3] != c.OutputChannels)
                    throw Op(op, p + 40, "channels do not match: input " + c.InputChannels + " x multiplier " + c.DepthMultiplier
                        + ", filter " + filter.Shape[3] + ", output " + c.OutputChannels);
            }
            else
            {
                if (c.DepthMultiplier != 1) throw Op(op, p + 40, "depth multiplier word must be 1 for CONV_2D");
                if (filter.Shape[3] != c.InputChannels || filter.Shape[0] != c.OutputChannels)
                    throw Op(op, -1, "filter " + filter.ShapeText() + " does not match input channels " + c.InputChannels + " and output channels " + c.OutputChannels);
            }
            RequireSpatial(op, "height", c.InputHeight, c.FilterHeight, c.StrideHeight, c.DilationHeight, c.PadTop, c.OutputHeight, p);
            RequireSpatial(op, "width", c.InputWidth, c.FilterWidth, c.StrideWidth, c.DilationWidth, c.PadLeft, c.OutputWidth, p + 4);
            RequireOffsets(op, c.InputOffset, c.OutputOffset, p + 24);
            RequireActivationRange(op, c.ActivationMin, c.ActivationMax, p + 32);
            RequireBias(op, bias, c.OutputChannels);
            op.MultiplierStart = RequireTable(op, Word(p, 11), c.OutputChannels, false, p + 44);
            op.ShiftStart = RequireTable(op, Word(p, 12), c.OutputChannels, true, p + 48);
            return c;
        }

        FullyConnectedParams PrepareFullyConnected(OperatorInfo op, int p)
        {
            TensorInfo input = In(op, 0), filter = In(op, 1), bias = In(op, 2), output = tensors[op.Outputs[0]];
            RequireType(op, input, DataType.Int8, -1, "input");
            RequireType(op, filter, DataType.Int8, 2, "filter");
            RequireType(op, output, DataType.Int8, -1, "output");
            if (!filter.IsConstant) throw Op(op, -1, "filter tensor " + filter.Index + " is not constant");
            FullyConnectedParams f = new FullyConnectedParams();
            f.OutputDepth = filter.Shape[0];
            f.AccumDepth = filter.Shape[1];
            if (input.ElementCount % f.AccumDepth != 0)
                throw Op(op, -1, "input has " + input.ElementCount + " elements, not a multiple of the filter depth " + f.AccumDepth);
            f.Batches = input.ElementCount / f.AccumDepth;
            if ((long)f.Batches * f.OutputDepth != output.ElementCount)
                throw Op(op, -1, "output has " + output.ElementCount + " elements, expected " + f.Batches + " x " + f.OutputDepth);
            f.InputOffset = Word(p, 0);
            f.FilterOffset = Word(p, 1);
            f.OutputOffset = Word(p, 2);
            f.ActivationMin = Word(p, 3);
            f.ActivationMax = Word(p, 4);
            if (!InRange(f.InputOffset, -127, 128) || !InRange(f.FilterOffset, -127, 128) || !InRange(f.OutputOffset, -128, 127))
                throw Op(op, p, "zero point offsets out of int8 range");
            RequireActivationRange(op, f.ActivationMin, f.ActivationMax, p + 12);
            RequireBias(op, bias, f.OutputDepth);
            op.MultiplierStart = RequireTable(op, Word(p, 5), f.OutputDepth, false, p + 20);
            op.ShiftStart = RequireTable(op, Word(p, 6), f.OutputDepth, true, p + 24);
            return f;
        }

        AddParams PrepareAdd(OperatorInfo op, int p)
        {
            TensorInfo a = In(op, 0), b = In(op, 1), output = tensors[op.Outputs[0]];
            RequireBroadcastOperands(op, a, b, output, "ADD");
            AddParams s = new AddParams();
            s.LeftShift = Word(p, 0);
            s.Input1Offset = Word(p, 1);
            s.Input1Multiplier = Word(p, 2);
            s.Input1Shift = Word(p, 3);
            s.Input2Offset = Word(p, 4);
            s.Input2Multiplier = Word(p, 5);
            s.Input2Shift = Word(p, 6);
            s.OutputOffset = Word(p, 7);
            s.OutputMultiplier = Word(p, 8);
            s.OutputShift = Word(p, 9);
            s.ActivationMin = Word(p, 10);
            s.ActivationMax = Word(p, 11);
            if (!InRange(s.LeftShift, 0, 24)) throw Op(op, p, "left shift " + s.LeftShift + " outside 0..24");
            if (!InRange(s.Input1Offset, -127, 128) || !InRange(s.Input2Offset, -127, 128) || !InRange(s.OutputOffset, -128, 127))
                throw Op(op, p + 4, "zero point offsets out of int8 range");
            if (s.Input1Multiplier < 0 || s.Input2Multiplier < 0 || s.OutputMultiplier < 0
                || !InRange(s.Input1Shift, -31, 30) || !InRange(s.Input2Shift, -31, 30) || !InRange(s.OutputShift, -31, 30))
                throw Op(op, p + 8, "multiplier or shift out of range");
            RequireActivationRange(op, s.ActivationMin, s.ActivationMax, p + 40);
            s.Input1Shape = Extend(a.Shape, 4);
            s.Input2Shape = Extend(b.Shape, 4);
            s.OutputShape = Extend(output.Shape, 4);
            s.FlatSize = output.ElementCount;
            s.Broadcast = RequireBroadcast(op, a, b, output, s.Input1Shape, s.Input2Shape, s.OutputShape, false);
            return s;
        }

        /// <summary>The two inputs and the output of ADD or MUL: int8, at most 4-D.</summary>
        void RequireBroadcastOperands(OperatorInfo op, TensorInfo a, TensorInfo b, TensorInfo output, string name)
        {
            RequireType(op, a, DataType.Int8, -1, "input 1");
            RequireType(op, b, DataType.Int8, -1, "input 2");
            RequireType(op, output, DataType.Int8, -1, "output");
            if (a.Shape.Length > 4 || b.Shape.Length > 4 || output.Shape.Length > 4)
                throw Op(op, -1, name + " supports up to 4 dimensions");
        }

        /// <summary>
        /// Checks NumPy broadcasting of the 4-D shapes s1, s2 (of inputs a, b) to so (of output):
        /// each input dimension equals the output's or is 1; with <paramref name="exactOutput"/>
        /// (MUL) the output must also be exactly the broadcast shape, so an output dimension is
        /// one of the inputs'. Returns whether any input dimension differs from the output's.
        /// </summary>
        bool RequireBroadcast(OperatorInfo op, TensorInfo a, TensorInfo b, TensorInfo output, int[] s1, int[] s2, int[] so, bool exactOutput)
        {
            bool broadcast = false;
            for (int d = 0; d < 4; d++)
            {
                int d1 = s1[d], d2 = s2[d], o = so[d];
                if ((d1 != o && d1 != 1) || (d2 != o && d2 != 1) || (exactOutput && d1 != o && d2 != o))
                    throw Op(op, -1, "shapes " + a.ShapeText() + " and " + b.ShapeText() + " do not broadcast to " + output.ShapeText());
                if (d1 != o || d2 != o) broadcast = true;
            }
            return broadcast;
        }

        PoolParams PreparePool(OperatorInfo op, int p)
        {
            TensorInfo input = In(op, 0), output = tensors[op.Outputs[0]];
            RequireType(op, input, DataType.Int8, 4, "input");
            RequireType(op, output, DataType.Int8, 4, "output");
            PoolParams s = new PoolParams();
            s.Batches = input.Shape[0];
            s.InputHeight = input.Shape[1];
            s.InputWidth = input.Shape[2];
            s.Channels = input.Shape[3];
            s.OutputHeight = output.Shape[1];
            s.OutputWidth = output.Shape[2];
            if (output.Shape[0] != s.Batches || output.Shape[3] != s.Channels)
                throw Op(op, -1, "output " + output.ShapeText() + " does not keep the batch and channels of input " + input.ShapeText());
            s.FilterHeight = Word(p, 0);
            s.FilterWidth = Word(p, 1);
            s.StrideHeight = Word(p, 2);
            s.StrideWidth = Word(p, 3);
            s.PadTop = Word(p, 4);
            s.PadLeft = Word(p, 5);
            s.ActivationMin = Word(p, 6);
            s.ActivationMax = Word(p, 7);
            RequireSpatial(op, "height", s.InputHeight, s.FilterHeight, s.StrideHeight, 1, s.PadTop, s.OutputHeight, p);
            RequireSpatial(op, "width", s.InputWidth, s.FilterWidth, s.StrideWidth, 1, s.PadLeft, s.OutputWidth, p + 4);
            RequireActivationRange(op, s.ActivationMin, s.ActivationMax, p + 24);
            return s;
        }

        SoftmaxParams PrepareSoftmax(OperatorInfo op, int p)
        {
            TensorInfo input = In(op, 0), output = tensors[op.Outputs[0]];
            RequireType(op, input, DataType.Int8, -1, "input");
            RequireType(op, output, DataType.Int8, -1, "output");
            if (input.Shape.Length < 1 || input.ElementCount != output.ElementCount)
                throw Op(op, -1, "input " + input.ShapeText() + " and output " + output.ShapeText() + " differ");
            SoftmaxParams s = new SoftmaxParams();
            s.Depth = input.Shape[input.Shape.Length - 1];
            s.Rows = input.ElementCount / s.Depth;
            s.InputMultiplier = Word(p, 0);
            s.InputLeftShift = Word(p, 1);
            s.DiffMin = Word(p, 2);
            if (s.InputMultiplier < 0 || !InRange(s.InputLeftShift, 0, 31) || s.DiffMin > 0)
                throw Op(op, p, "softmax multiplier " + s.InputMultiplier + ", left shift " + s.InputLeftShift + " or diff_min " + s.DiffMin + " out of range");
            return s;
        }

        // ---------------------------------------------------------------- format 1.1 operators

        /// <summary>Checks a requantization multiplier (non-negative) and TFLM-convention shift ([-31, 30]).</summary>
        void RequireMultiplier(OperatorInfo op, int multiplier, int shift, int at, string what)
        {
            if (multiplier < 0 || !InRange(shift, -31, 30))
                throw Op(op, at, what + " multiplier " + multiplier + " or shift " + shift + " is out of range");
        }

        /// <summary>Input and output of an element-wise op: int8, equal element counts; returns the count.</summary>
        int RequireElementwise(OperatorInfo op, TensorInfo input, TensorInfo output)
        {
            RequireType(op, input, DataType.Int8, -1, "input");
            RequireType(op, output, DataType.Int8, -1, "output");
            if (input.ElementCount != output.ElementCount)
                throw Op(op, -1, "input " + input.ShapeText() + " and output " + output.ShapeText() + " have different element counts");
            return input.ElementCount;
        }

        MulParams PrepareMul(OperatorInfo op, int p)
        {
            TensorInfo a = In(op, 0), b = In(op, 1), output = tensors[op.Outputs[0]];
            RequireBroadcastOperands(op, a, b, output, "MUL");
            MulParams s = new MulParams();
            s.Input1Offset = Word(p, 0);
            s.Input2Offset = Word(p, 1);
            s.OutputOffset = Word(p, 2);
            s.OutputMultiplier = Word(p, 3);
            s.OutputShift = Word(p, 4);
            s.ActivationMin = Word(p, 5);
            s.ActivationMax = Word(p, 6);
            if (!InRange(s.Input1Offset, -127, 128) || !InRange(s.Input2Offset, -127, 128) || !InRange(s.OutputOffset, -128, 127))
                throw Op(op, p, "zero point offsets out of int8 range");
            RequireMultiplier(op, s.OutputMultiplier, s.OutputShift, p + 12, "output");
            RequireActivationRange(op, s.ActivationMin, s.ActivationMax, p + 20);
            s.Input1Shape = Extend(a.Shape, 4);
            s.Input2Shape = Extend(b.Shape, 4);
            s.OutputShape = Extend(output.Shape, 4);
            s.FlatSize = output.ElementCount;
            s.Broadcast = RequireBroadcast(op, a, b, output, s.Input1Shape, s.Input2Shape, s.OutputShape, true);
            return s;
        }

        FixedPointActivationParams PrepareFixedPointActivation(OperatorInfo op, int p)
        {
            FixedPointActivationParams s = new FixedPointActivationParams();
            s.Size = RequireElementwise(op, In(op, 0), tensors[op.Outputs[0]]);
            s.InputOffset = Word(p, 0);
            s.InputRangeRadius = Word(p, 1);
            s.InputMultiplier = Word(p, 2);
            s.InputLeftShift = Word(p, 3);
            if (!InRange(s.InputOffset, -127, 128))
                throw Op(op, p, "input offset " + s.InputOffset + " out of int8 range");
            if (s.InputRangeRadius < 0)
                throw Op(op, p + 4, "input range radius " + s.InputRangeRadius + " is negative");
            if (s.InputMultiplier < 0 || !InRange(s.InputLeftShift, 0, 30))
                throw Op(op, p + 8, "input multiplier " + s.InputMultiplier + " or left shift " + s.InputLeftShift + " is out of range");
            return s;
        }

        LeakyReluParams PrepareLeakyRelu(OperatorInfo op, int p)
        {
            LeakyReluParams s = new LeakyReluParams();
            s.Size = RequireElementwise(op, In(op, 0), tensors[op.Outputs[0]]);
            s.InputOffset = Word(p, 0);
            s.OutputOffset = Word(p, 1);
            s.IdentityMultiplier = Word(p, 2);
            s.IdentityShift = Word(p, 3);
            s.AlphaMultiplier = Word(p, 4);
            s.AlphaShift = Word(p, 5);
            RequireOffsets(op, s.InputOffset, s.OutputOffset, p);
            RequireMultiplier(op, s.IdentityMultiplier, s.IdentityShift, p + 8, "identity");
            // A negative alpha gives a negative multiplier; its magnitude must be representable.
            if (s.AlphaMultiplier == int.MinValue || !InRange(s.AlphaShift, -31, 30))
                throw Op(op, p + 16, "alpha multiplier " + s.AlphaMultiplier + " or shift " + s.AlphaShift + " is out of range");
            return s;
        }

        ReluParams PrepareRelu(OperatorInfo op, int p)
        {
            ReluParams s = new ReluParams();
            s.Size = RequireElementwise(op, In(op, 0), tensors[op.Outputs[0]]);
            s.InputOffset = Word(p, 0);
            s.OutputOffset = Word(p, 1);
            s.OutputMultiplier = Word(p, 2);
            s.OutputShift = Word(p, 3);
            s.ActivationMin = Word(p, 4);
            s.ActivationMax = Word(p, 5);
            RequireOffsets(op, s.InputOffset, s.OutputOffset, p);
            RequireMultiplier(op, s.OutputMultiplier, s.OutputShift, p + 8, "output");
            RequireActivationRange(op, s.ActivationMin, s.ActivationMax, p + 16);
            return s;
        }

        Relu6Params PrepareRelu6(OperatorInfo op, int p)
        {
            Relu6Params s = new Relu6Params();
            s.Size = RequireElementwise(op, In(op, 0), tensors[op.Outputs[0]]);
            s.Lower = Word(p, 0);
            s.Upper = Word(p, 1);
            RequireActivationRange(op, s.Lower, s.Upper, p);
            return s;
        }

        RequantizeParams PrepareQuantize(OperatorInfo op, int p)
        {
            RequantizeParams s = new RequantizeParams();
            s.Size = RequireElementwise(op, In(op, 0), tensors[op.Outputs[0]]);
            s.InputOffset = Word(p, 0);
            s.OutputOffset = Word(p, 1);
            s.OutputMultiplier = Word(p, 2);
            s.OutputShift = Word(p, 3);
            RequireOffsets(op, s.InputOffset, s.OutputOffset, p);
            RequireMultiplier(op, s.OutputMultiplier, s.OutputShift, p + 8, "output");
            return s;
        }

        const int PadRank = 5;

        PadParams PreparePad(OperatorInfo op, int p)
        {
            TensorInfo input = In(op, 0), output = tensors[op.Outputs[0]];
            RequireType(op, input, DataType.Int8, -1, "input");
            RequireType(op, output, DataType.Int8, input.Shape.Length, "output");
            if (input.Shape.Length > PadRank)
                throw Op(op, -1, "PAD supports up to 5 dimensions, input has " + input.Shape.Length);
            PadParams s = new PadParams();
            s.PadValue = Word(p, 0);
            if (!InRange(s.PadValue, -128, 127))
                throw Op(op, p, "pad value " + s.PadValue + " out of int8 range");
            s.InputShape = Extend(input.Shape, PadRank);
            s.OutputShape = Extend(output.Shape, PadRank);
            s.LeftPadding = new int[PadRank];
            s.RightPadding = new int[PadRank];
            for (int d = 0; d < PadRank; d++)
            {
                int left = Word(p, 1 + d), right = Word(p, 1 + PadRank + d);
                if (left < 0 || right < 0)
                    throw Op(op, p + 4 + 4 * d, "dimension " + d + " (of 5): paddings " + left + ", " + right + " must not be negative");
                if ((long)s.InputShape[d] + left + right != s.OutputShape[d])
                    throw Op(op, p + 4 + 4 * d, "dimension " + d + " (of 5): input " + s.InputShape[d] + " + paddings " + left + ", " + right
                        + " does not equal output " + s.OutputShape[d]);
                s.LeftPadding[d] = left;
                s.RightPadding[d] = right;
            }
            return s;
        }

        ConcatenationParams PrepareConcatenation(OperatorInfo op, int p)
        {
            TensorInfo output = tensors[op.Outputs[0]];
            int rank = output.Shape.Length;
            ConcatenationParams s = new ConcatenationParams();
            s.Axis = Word(p, 0);
            s.InputCount = op.Inputs.Length;
            if (rank < 1 || !InRange(s.Axis, 0, rank - 1))
                throw Op(op, p, "axis " + s.Axis + " is outside 0.." + (rank - 1) + " for output " + output.ShapeText());
            int esize = DataType.Size(output.DataType);
            long outer = 1, inner = 1;
            for (int d = 0; d < s.Axis; d++) outer *= output.Shape[d];
            for (int d = s.Axis + 1; d < rank; d++) inner *= output.Shape[d];
            s.OuterSize = (int)outer;
            s.CopyBytes = new int[s.InputCount];
            long axisTotal = 0;
            for (int i = 0; i < s.InputCount; i++)
            {
                TensorInfo t = In(op, i);
                RequireType(op, t, output.DataType, rank, "input " + i);
                for (int d = 0; d < rank; d++)
                    if (d != s.Axis && t.Shape[d] != output.Shape[d])
                        throw Op(op, -1, "input " + i + " " + t.ShapeText() + " differs from output " + output.ShapeText() + " in dimension " + d);
                axisTotal += t.Shape[s.Axis];
                s.CopyBytes[i] = (int)(t.Shape[s.Axis] * inner * esize);
            }
            if (axisTotal != output.Shape[s.Axis])
                throw Op(op, -1, "inputs add up to " + axisTotal + " along axis " + s.Axis + ", output has " + output.Shape[s.Axis]);
            return s;
        }

        HardSwishParams PrepareHardSwish(OperatorInfo op, int p)
        {
            HardSwishParams s = new HardSwishParams();
            s.Size = RequireElementwise(op, In(op, 0), tensors[op.Outputs[0]]);
            s.InputOffset = Word(p, 0);
            s.OutputOffset = Word(p, 1);
            s.OutputMultiplier = Word(p, 2);
            s.OutputExponent = Word(p, 3);
            s.ReluishMultiplier = Word(p, 4);
            s.ReluishExponent = Word(p, 5);
            RequireOffsets(op, s.InputOffset, s.OutputOffset, p);
            if (!InRange(s.OutputMultiplier, 0, 32767) || !InRange(s.OutputExponent, -31, 0))
                throw Op(op, p + 8, "output multiplier " + s.OutputMultiplier + " or exponent " + s.OutputExponent + " is out of range (0..32767, -31..0)");
            if (!InRange(s.ReluishMultiplier, 0, 32767) || !InRange(s.ReluishExponent, -31, 31))
                throw Op(op, p + 16, "reluish multiplier " + s.ReluishMultiplier + " or exponent " + s.ReluishExponent + " is out of range (0..32767, -31..31)");
            return s;
        }

        MeanParams PrepareMean(OperatorInfo op, int p)
        {
            TensorInfo input = In(op, 0), output = tensors[op.Outputs[0]];
            RequireType(op, input, DataType.Int8, -1, "input");
            RequireType(op, output, DataType.Int8, -1, "output");
            MeanParams s = new MeanParams();
            s.InputOffset = Word(p, 0);
            s.OutputOffset = Word(p, 1);
            s.OutputMultiplier = Word(p, 2);
            s.OutputShift = Word(p, 3);
            int mask = Word(p, 4);
            RequireOffsets(op, s.InputOffset, s.OutputOffset, p);
            RequireMultiplier(op, s.OutputMultiplier, s.OutputShift, p + 8, "output");
            int rank = input.Shape.Length;
            if (mask < 0 || (rank < 31 && (mask >> rank) != 0))
                throw Op(op, p + 16, "axis mask 0x" + mask.ToString("X") + " names dimensions beyond the input's rank " + rank);
            int kept = 0;
            for (int d = 0; d < rank; d++) if ((mask & (1 << d)) == 0) kept++;
            s.KeptExtents = new int[kept];
            s.KeptStrides = new int[kept];
            s.ReducedExtents = new int[rank - kept];
            s.ReducedStrides = new int[rank - kept];
            // keep_dims true gives the input shape with reduced dimensions set to 1, false removes them.
            bool keepDims = output.Shape.Length == rank && rank != kept;
            bool shapeOk = output.Shape.Length == (keepDims ? rank : kept);
            int stride = 1, ki = kept, ri = rank - kept, oi = output.Shape.Length;
            long outputCount = 1, reducedCount = 1;
            for (int d = rank - 1; d >= 0; d--)
            {
                int extent = input.Shape[d];
                if ((mask & (1 << d)) == 0)
                {
                    ki--;
                    s.KeptExtents[ki] = extent;
                    s.KeptStrides[ki] = stride;
                    outputCount *= extent;
                    oi--;
                    if (shapeOk && output.Shape[oi] != extent) shapeOk = false;
                }
                else
                {
                    ri--;
                    s.ReducedExtents[ri] = extent;
                    s.ReducedStrides[ri] = stride;
                    reducedCount *= extent;
                    if (keepDims)
                    {
                        oi--;
                        if (output.Shape[oi] != 1) shapeOk = false;
                    }
                }
                stride *= extent;
            }
            if (!shapeOk || outputCount != output.ElementCount)
                throw Op(op, -1, "output " + output.ShapeText() + " is not input " + input.ShapeText() + " reduced over axis mask 0x" + mask.ToString("X"));
            s.OutputCount = (int)outputCount;
            s.ReducedCount = (int)reducedCount;
            return s;
        }

        /// <summary><paramref name="shape"/> with leading 1s added up to <paramref name="rank"/> dimensions.</summary>
        static int[] Extend(int[] shape, int rank)
        {
            int[] r = new int[rank];
            for (int i = 0; i < rank; i++) r[i] = 1;
            for (int i = 0; i < shape.Length; i++) r[rank - shape.Length + i] = shape[i];
            return r;
        }
    }
}
