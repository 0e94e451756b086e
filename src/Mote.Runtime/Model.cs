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
    /// <remarks>
    /// Memory: the blob's own tables (tensor records, operator records, INDICES, IO) are the
    /// model's description and are read in place, never copied into objects. What
    /// <see cref="Load(byte[])"/> allocates is this object, one <see cref="OpStride"/>-int row per
    /// operator (its code and where its tensors' bytes are) and one prepared parameter object per
    /// operator (none for RESHAPE and SQUEEZE); validation itself allocates nothing. The
    /// <see cref="TensorInfo"/> and <see cref="OperatorInfo"/> objects that tools use are
    /// built on first request (<see cref="GetTensor"/>, <see cref="GetOperator"/>).
    /// </remarks>
    public sealed partial class Model
    {
        // ---------------------------------------------------------------- operator table
        //
        // Row i (OpStride ints at i * OpStride) describes operator i for the interpreter.
        // A tensor slot holds a binding: the arena offset (>= 0) of an activation, NoTensor (-1)
        // for an absent optional input, or -2 - blobOffset (<= -2) for a constant in the blob.
        internal const int OpStride = 8;
        internal const int SlotCode = 0, SlotIn0 = 1, SlotIn1 = 2, SlotIn2 = 3, SlotOut = 4,
            SlotMultipliers = 5, SlotShifts = 6, SlotOutBytes = 7;
        internal const int NoTensor = -1;

        /// <summary>A binding (see the operator table) of tensor <paramref name="t"/>, or NoTensor for -1.</summary>
        internal int Binding(int t)
        {
            if (t < 0) return NoTensor;
            int start = TensorStart(t);
            return TensorIsConstant(t) ? -2 - start : start;
        }

        // Section positions (absolute offsets) and counts. STRINGS and SCALES are optional (start 0 = absent).
        int tensorsAt, tensorCount;
        int operatorsAt, operatorCount;
        int indicesAt, indexCount;
        int paramsAt, paramCount;
        int ioAt, ioWords, inputCount, outputCount;
        int stringsAt, stringsLength;
        int constantsAt, constantsLength;
        int scalesAt, scaleCount;

        /// <summary>Operator table, <see cref="OpStride"/> ints per operator (see above).</summary>
        internal int[] Ops;
        /// <summary>Prepared kernel parameters per operator (ConvParams, AddParams, ...); null for RESHAPE and SQUEEZE.</summary>
        internal object[] Prepared;

        // Built on first request, for tools; a device that only invokes never creates them.
        TensorInfo[] tensorInfos;
        OperatorInfo[] operatorInfos;

        /// <summary>The blob, read in place (never copied): it must not change after <see cref="Load(byte[])"/>.</summary>
        public byte[] Blob { get; private set; }
        public int Length { get; private set; }
        public int MajorVersion { get; private set; }
        public int MinorVersion { get; private set; }
        public uint Crc { get; private set; }
        public int ArenaBytes { get; private set; }
        /// <summary>The header's weights layout; always <see cref="BlobFormat.WeightsLayoutPlain"/> in a loaded model.</summary>
        public int WeightsLayout { get; private set; }
        public int TensorCount { get { return tensorCount; } }
        public int OperatorCount { get { return operatorCount; } }
        public int InputCount { get { return inputCount; } }
        /// <summary>Number of variable (state) tensors: kept across <see cref="Interpreter.Invoke"/> calls, cleared by <see cref="Interpreter.ResetState"/>.</summary>
        public int VariableTensorCount { get { return VariableTensors == null ? 0 : VariableTensors.Length; } }
        public int OutputCount { get { return outputCount; } }
        /// <summary>Bytes of the CONSTANTS section (weights, biases, requantization tables).</summary>
        public int ConstantBytes { get { return constantsLength; } }

        /// <summary>
        /// Tensor <paramref name="index"/> as an object (for tools and messages). Created on the first
        /// request for any tensor (an array of TensorCount references, then one object per tensor asked for);
        /// never needed to invoke.
        /// </summary>
        public TensorInfo GetTensor(int index)
        {
            if (index < 0 || index >= tensorCount) throw new ArgumentOutOfRangeException("index", "tensor " + index + " of " + tensorCount);
            if (tensorInfos == null) tensorInfos = new TensorInfo[tensorCount];
            TensorInfo t = tensorInfos[index];
            if (t == null)
            {
                t = CreateTensorInfo(index);
                tensorInfos[index] = t;
            }
            return t;
        }

        /// <summary>Operator <paramref name="index"/> as an object (for tools); created on first request like <see cref="GetTensor"/>.</summary>
        public OperatorInfo GetOperator(int index)
        {
            if (index < 0 || index >= operatorCount) throw new ArgumentOutOfRangeException("index", "operator " + index + " of " + operatorCount);
            if (operatorInfos == null) operatorInfos = new OperatorInfo[operatorCount];
            OperatorInfo op = operatorInfos[index];
            if (op == null)
            {
                op = CreateOperatorInfo(index);
                operatorInfos[index] = op;
            }
            return op;
        }

        /// <summary>Tensor index of model input <paramref name="i"/> (read from the blob's IO section).</summary>
        public int GetInputTensorIndex(int i)
        {
            if (i < 0 || i >= inputCount) throw new ArgumentOutOfRangeException("i", "input " + i + " of " + inputCount);
            return LittleEndian.ReadInt32(Blob, ioAt + 8 + 4 * i);
        }

        /// <summary>Tensor index of model output <paramref name="i"/> (read from the blob's IO section).</summary>
        public int GetOutputTensorIndex(int i)
        {
            if (i < 0 || i >= outputCount) throw new ArgumentOutOfRangeException("i", "output " + i + " of " + outputCount);
            return LittleEndian.ReadInt32(Blob, ioAt + 8 + 4 * (inputCount + i));
        }

        public TensorInfo GetInput(int i) { return GetTensor(GetInputTensorIndex(i)); }
        public TensorInfo GetOutput(int i) { return GetTensor(GetOutputTensorIndex(i)); }

        /// <summary>Per-channel scale <paramref name="channel"/> of a tensor (tools only).</summary>
        public float GetScale(TensorInfo t, int channel)
        {
            if (t.ScaleCount == 0) return t.Scale;
            return BitConverter.ToSingle(Blob, scalesAt + 4 * (t.ScaleIndex + channel));
        }

        Model(byte[] blob) { Blob = blob; }

        /// <summary>Validates <paramref name="blob"/> and prepares it for <see cref="Interpreter"/>.</summary>
        /// <exception cref="MoteFormatException">
        /// anything malformed, naming the section and byte offset; also a blob whose weights layout this
        /// runtime does not serve (<see cref="BlobFormat.WeightsLayoutPlain"/> only), naming the layout it needs.
        /// </exception>
        public static Model Load(byte[] blob)
        {
            if (blob == null) throw new ArgumentNullException("blob");
            Model m = new Model(blob);
            m.ReadHeader();
            m.ReadSections();
            m.ValidateTensors();
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
            // A blob packed for a board's kernels (e.g. weights interleaved for SDOT or CMSIS-NN) reads
            // differently; this runtime has only the reference kernels, which read the plain layout.
            WeightsLayout = LittleEndian.ReadInt32(b, BlobFormat.OffWeightsLayout);
            if (WeightsLayout != BlobFormat.WeightsLayoutPlain)
                throw new MoteFormatException("header", BlobFormat.OffWeightsLayout, "the blob needs weights layout " + WeightsLayout
                    + " (" + BlobFormat.WeightsLayoutName(WeightsLayout) + "), but this runtime serves only layout "
                    + BlobFormat.WeightsLayoutPlain + " (\"" + BlobFormat.WeightsLayoutName(BlobFormat.WeightsLayoutPlain)
                    + "\", reference kernels); repack the model for a profile whose weight_layout is \"plain\"");
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

            int seen = 0; // bit k set: section kind k already read
            for (int i = 0; i < count; i++)
            {
                int e = table + i * BlobFormat.SectionEntrySize;
                int kind = LittleEndian.ReadInt32(b, e);
                int start = LittleEndian.ReadInt32(b, e + 4);
                int length = LittleEndian.ReadInt32(b, e + 8);
                int n = LittleEndian.ReadInt32(b, e + 12);
                if (start < tableEnd || length < 0 || n < 0 || (long)start + length > Length)
                    throw new MoteFormatException(BlobFormat.SectionName(kind), e, "section [" + start + ", +" + length + ") lies outside the blob body [" + tableEnd + ", " + Length + ")");
                if (start % BlobFormat.Alignment != 0)
                    throw new MoteFormatException(BlobFormat.SectionName(kind), e + 4, "section offset " + start + " is not a multiple of 16");
                // Earlier entries were checked already; compare against them in place (no scratch arrays).
                for (int j = 0; j < i; j++)
                {
                    int f = table + j * BlobFormat.SectionEntrySize;
                    int otherStart = LittleEndian.ReadInt32(b, f + 4);
                    int otherEnd = otherStart + LittleEndian.ReadInt32(b, f + 8);
                    if (start < otherEnd && otherStart < start + length)
                        throw new MoteFormatException(BlobFormat.SectionName(kind), e, "section overlaps another section");
                }
                if (kind < 1 || kind > BlobFormat.SectionScales) continue; // unknown kind: a later minor version's addition
                if ((seen & (1 << kind)) != 0)
                    throw new MoteFormatException(BlobFormat.SectionName(kind), e, "section kind appears twice");
                seen |= 1 << kind;
                int recordSize = RecordSize(kind);
                if (recordSize > 0 && (long)n * recordSize != length)
                    throw new MoteFormatException(BlobFormat.SectionName(kind), e + 12, "count " + n + " x " + recordSize + " bytes does not equal the section length " + length);
                switch (kind)
                {
                    case BlobFormat.SectionTensors: tensorsAt = start; tensorCount = n; break;
                    case BlobFormat.SectionOperators: operatorsAt = start; operatorCount = n; break;
                    case BlobFormat.SectionIndices: indicesAt = start; indexCount = n; break;
                    case BlobFormat.SectionParams: paramsAt = start; paramCount = n; break;
                    case BlobFormat.SectionIo: ioAt = start; ioWords = n; break;
                    case BlobFormat.SectionStrings: stringsAt = start; stringsLength = length; break;
                    case BlobFormat.SectionConstants: constantsAt = start; constantsLength = length; break;
                    case BlobFormat.SectionScales: scalesAt = start; scaleCount = n; break;
                }
            }
            RequireSection(seen, BlobFormat.SectionTensors);
            RequireSection(seen, BlobFormat.SectionOperators);
            RequireSection(seen, BlobFormat.SectionIndices);
            RequireSection(seen, BlobFormat.SectionParams);
            RequireSection(seen, BlobFormat.SectionIo);
            RequireSection(seen, BlobFormat.SectionConstants);
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

        static void RequireSection(int seen, int kind)
        {
            if ((seen & (1 << kind)) == 0)
                throw new MoteFormatException(BlobFormat.SectionName(kind), -1, "required section is missing");
        }

        // ---------------------------------------------------------------- tensors (read from their records)

        int TensorRecord(int t) { return tensorsAt + t * BlobFormat.TensorRecordSize; }
        internal int TensorType(int t) { return Blob[TensorRecord(t)]; }
        internal int TensorRank(int t) { return Blob[TensorRecord(t) + 1]; }
        internal bool TensorIsConstant(int t) { return Blob[TensorRecord(t) + 2] == BlobFormat.StorageConstant; }
        internal bool TensorIsVariable(int t) { return (Blob[TensorRecord(t) + BlobFormat.TensorFlagsOffset] & BlobFormat.TensorFlagVariable) != 0; }
        internal int TensorZeroPoint(int t) { return LittleEndian.ReadInt32(Blob, TensorRecord(t) + 36); }

        /// <summary>Indices of the variable (state) tensors, or null when the model has none (built at load).</summary>
        internal int[] VariableTensors;
        internal int TensorDim(int t, int d) { return LittleEndian.ReadInt32(Blob, TensorRecord(t) + 4 + 4 * d); }
        /// <summary>Arena offset (activation) or absolute blob offset (constant).</summary>
        internal int TensorStart(int t) { return LittleEndian.ReadInt32(Blob, TensorRecord(t) + 28); }
        internal int TensorBytes(int t) { return LittleEndian.ReadInt32(Blob, TensorRecord(t) + 32); }

        internal int TensorElements(int t)
        {
            int rank = TensorRank(t), n = 1;
            for (int d = 0; d < rank; d++) n *= TensorDim(t, d);
            return n;
        }

        /// <summary>Dimension <paramref name="d"/> of tensor t's shape extended with leading 1s to <paramref name="rank"/> dimensions.</summary>
        int ExtendedDim(int t, int rank, int d)
        {
            int k = d - (rank - TensorRank(t));
            return k < 0 ? 1 : TensorDim(t, k);
        }

        /// <summary>"[1,6,6,2]", for messages and tools.</summary>
        internal string ShapeText(int t)
        {
            string s = "[";
            for (int d = 0; d < TensorRank(t); d++) s += (d > 0 ? "," : "") + TensorDim(t, d);
            return s + "]";
        }

        void ValidateTensors()
        {
            byte[] b = Blob;
            int variables = 0;
            for (int i = 0; i < tensorCount; i++)
            {
                int r = TensorRecord(i);
                int dtype = b[r];
                int rank = b[r + 1];
                int storage = b[r + 2];
                int esize = DataType.Size(dtype);
                if (esize == 0) throw Tensor(i, r, "unknown dtype " + dtype);
                if (rank > BlobFormat.MaxRank) throw Tensor(i, r + 1, "rank " + rank + " exceeds 6");
                if (storage != BlobFormat.StorageArena && storage != BlobFormat.StorageConstant) throw Tensor(i, r + 2, "unknown storage kind " + storage);
                int flags = b[r + BlobFormat.TensorFlagsOffset];
                if ((flags & ~BlobFormat.TensorFlagVariable) != 0)
                    throw Tensor(i, r + BlobFormat.TensorFlagsOffset, "unknown tensor flags 0x" + flags.ToString("X2"));
                if (flags != 0)
                {
                    if (MinorVersion < BlobFormat.VariableTensorsSinceMinorVersion)
                        throw Tensor(i, r + BlobFormat.TensorFlagsOffset, "is marked variable, which needs format 1."
                            + BlobFormat.VariableTensorsSinceMinorVersion + " but the blob declares 1." + MinorVersion + " (a writer bug)");
                    if (storage != BlobFormat.StorageArena)
                        throw Tensor(i, r + BlobFormat.TensorFlagsOffset, "is marked variable but is a constant (state lives in the arena)");
                    variables++;
                }
                long elements = 1;
                for (int d = 0; d < rank; d++)
                {
                    int v = LittleEndian.ReadInt32(b, r + 4 + 4 * d);
                    if (v < 1) throw Tensor(i, r + 4 + 4 * d, "dimension " + d + " is " + v + " (must be >= 1)");
                    elements *= v;
                    if (elements > int.MaxValue) throw Tensor(i, r + 4 + 4 * d, "element count overflows");
                }
                int start = LittleEndian.ReadInt32(b, r + 28);
                int bytes = LittleEndian.ReadInt32(b, r + 32);
                if (elements * esize != bytes)
                    throw Tensor(i, r + 32, "byte size " + bytes + " does not equal " + elements + " elements x " + esize + " bytes");
                if (storage == BlobFormat.StorageConstant)
                {
                    if (start < constantsAt || (long)start + bytes > constantsAt + constantsLength)
                        throw Tensor(i, r + 28, "constant data [" + start + ", +" + bytes + ") lies outside the CONSTANTS section");
                }
                else
                {
                    if (start < 0 || (long)start + bytes > ArenaBytes)
                        throw Tensor(i, r + 28, "arena range [" + start + ", +" + bytes + ") lies outside the " + ArenaBytes + "-byte arena");
                    if (start % BlobFormat.Alignment != 0)
                        throw Tensor(i, r + 28, "arena offset " + start + " is not a multiple of 16");
                }
                int scaleIndex = LittleEndian.ReadInt32(b, r + 44);
                int scales = LittleEndian.ReadInt32(b, r + 48);
                if (scales != 0 && (scales < 0 || scaleIndex < 0 || (long)scaleIndex + scales > scaleCount))
                    throw Tensor(i, r + 44, "scale range lies outside the SCALES section");
                NameEnd(i);
            }
            if (variables > 0)
            {
                VariableTensors = new int[variables];
                int k = 0;
                for (int i = 0; i < tensorCount; i++)
                    if (TensorIsVariable(i)) VariableTensors[k++] = i;
            }
        }

        MoteFormatException Tensor(int index, int offset, string message)
        {
            return new MoteFormatException("TENSORS", offset, "tensor " + index + ": " + message);
        }

        /// <summary>
        /// End (absolute offset of the NUL) of tensor t's name inside STRINGS, or -1 when it has none;
        /// throws when the name lies outside STRINGS or is not terminated there.
        /// </summary>
        int NameEnd(int t)
        {
            int field = TensorRecord(t) + 52;
            int offset = LittleEndian.ReadInt32(Blob, field);
            if (offset == -1) return -1;
            if (stringsAt == 0 || offset < 0 || offset >= stringsLength)
                throw Tensor(t, field, "name offset " + offset + " lies outside the STRINGS section");
            int end = stringsAt + stringsLength;
            int q = stringsAt + offset;
            while (q < end && Blob[q] != 0) q++;
            if (q == end) throw Tensor(t, field, "name is not NUL-terminated inside STRINGS");
            return q;
        }

        TensorInfo CreateTensorInfo(int i)
        {
            byte[] b = Blob;
            int r = TensorRecord(i);
            TensorInfo t = new TensorInfo();
            t.Index = i;
            t.DataType = b[r];
            t.IsConstant = TensorIsConstant(i);
            t.IsVariable = TensorIsVariable(i);
            int[] shape = new int[TensorRank(i)];
            for (int d = 0; d < shape.Length; d++) shape[d] = TensorDim(i, d);
            t.Shape = shape;
            t.Start = TensorStart(i);
            t.Bytes = TensorBytes(i);
            t.ZeroPoint = LittleEndian.ReadInt32(b, r + 36);
            t.Scale = BitConverter.ToSingle(b, r + 40);
            t.ScaleIndex = LittleEndian.ReadInt32(b, r + 44);
            t.ScaleCount = LittleEndian.ReadInt32(b, r + 48);
            int nameEnd = NameEnd(i);
            if (nameEnd >= 0)
            {
                t.NameBlob = b;
                t.NameStart = stringsAt + LittleEndian.ReadInt32(b, r + 52);
                t.NameEnd = nameEnd;
            }
            t.SourceIndex = LittleEndian.ReadInt32(b, r + 56);
            return t;
        }

        // ---------------------------------------------------------------- model inputs and outputs

        void ReadIo()
        {
            byte[] b = Blob;
            int s = ioAt;
            int words = ioWords;
            if (words < 2) throw new MoteFormatException("IO", s, "section holds fewer than 2 words");
            int nin = LittleEndian.ReadInt32(b, s);
            int nout = LittleEndian.ReadInt32(b, s + 4);
            if (nin < 1 || nout < 1 || (long)nin + nout + 2 != words)
                throw new MoteFormatException("IO", s, nin + " inputs and " + nout + " outputs do not match the section's " + words + " words");
            for (int i = 0; i < nin + nout; i++)
            {
                int at = s + 8 + 4 * i;
                int t = LittleEndian.ReadInt32(b, at);
                if (t < 0 || t >= tensorCount)
                    throw new MoteFormatException("IO", at, "tensor index " + t + " is out of range (0.." + (tensorCount - 1) + ")");
                if (TensorIsConstant(t))
                    throw new MoteFormatException("IO", at, "model input/output tensor " + t + " is a constant");
            }
            inputCount = nin;
            outputCount = nout;
        }

        // ---------------------------------------------------------------- operators

        int OperatorRecord(int op) { return operatorsAt + op * BlobFormat.OperatorRecordSize; }
        internal int OperatorCode(int op) { return Ops[op * OpStride + SlotCode]; }
        internal int OperatorInputCount(int op) { return Blob[OperatorRecord(op) + 2]; }

        /// <summary>Tensor index of input <paramref name="k"/> of operator <paramref name="op"/> (-1 = absent), read from INDICES.</summary>
        internal int OperatorInput(int op, int k)
        {
            int first = LittleEndian.ReadInt32(Blob, OperatorRecord(op) + 4);
            return LittleEndian.ReadInt16(Blob, indicesAt + 2 * (first + k));
        }

        /// <summary>Tensor index of output 0 of operator <paramref name="op"/> (its only output, for all but a few format 1.3 ops).</summary>
        internal int OperatorOutput(int op) { return OperatorInput(op, OperatorInputCount(op)); }

        /// <summary>Tensor index of output <paramref name="k"/> (k &lt; <see cref="OpCode.OutputCount"/>) of operator <paramref name="op"/>.</summary>
        internal int OperatorOutput(int op, int k) { return OperatorInput(op, OperatorInputCount(op) + k); }

        void ReadOperators()
        {
            byte[] b = Blob;
            int n = operatorCount;
            Ops = new int[n * OpStride];
            Prepared = new object[n];
            for (int i = 0; i < n; i++)
            {
                int r = OperatorRecord(i);
                int code = LittleEndian.ReadUInt16(b, r);
                int nin = b[r + 2];
                int nout = b[r + 3];
                int firstIndex = LittleEndian.ReadInt32(b, r + 4);
                int paramStart = LittleEndian.ReadInt32(b, r + 8);
                int paramWords = LittleEndian.ReadInt32(b, r + 12);
                int row = i * OpStride;
                Ops[row + SlotCode] = code;
                Ops[row + SlotMultipliers] = -1;
                Ops[row + SlotShifts] = -1;
                int words = OpCode.ParamWords(code);
                if (words < 0)
                    throw new MoteFormatException("OPERATORS", r, "operator " + i + ": op code " + code
                        + " is unknown to this runtime (blob minor version " + MinorVersion + "; runtime knows up to op code " + OpCode.Max + ")");
                if (OpCode.SinceMinorVersion(code) > MinorVersion)
                    throw Op(i, r, "op code " + code + " needs format 1." + OpCode.SinceMinorVersion(code)
                        + " but the blob declares 1." + MinorVersion + " (a writer bug)");
                int minIn = OpCode.InputCount(code), maxIn = OpCode.MaxInputCount(code), outs = OpCode.OutputCount(code);
                if (nin < minIn || nin > maxIn || nout != outs)
                    throw Op(i, r + 2, "has " + nin + " inputs and " + nout + " outputs, expected "
                        + (minIn == maxIn ? minIn.ToString() : minIn + ".." + maxIn) + " and " + outs);
                // CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED may carry format 1.2's requantization stride word.
                bool strideWord = OpCode.RequantStrideWord(code) == words && paramWords == words + 1;
                if (paramWords != words && !strideWord)
                    throw Op(i, r + 12, "has " + paramWords + " parameter words, expected " + words
                        + (OpCode.RequantStrideWord(code) >= 0 ? " (or " + (words + 1) + " with format 1.2's requantization stride word)" : ""));
                if (strideWord && MinorVersion < BlobFormat.RequantStrideSinceMinorVersion)
                    throw Op(i, r + 12, "has " + paramWords + " parameter words: the requantization stride word needs format 1."
                        + BlobFormat.RequantStrideSinceMinorVersion + " but the blob declares 1." + MinorVersion + " (a writer bug)");
                if (firstIndex < 0 || (long)firstIndex + nin + nout > indexCount)
                    throw Op(i, r + 4, "tensor index list lies outside INDICES");
                if (paramStart < 0 || (long)paramStart + paramWords > paramCount)
                    throw Op(i, r + 8, "parameters lie outside PARAMS");
                for (int k = 0; k < nin + nout; k++)
                {
                    int at = indicesAt + 2 * (firstIndex + k);
                    int t = LittleEndian.ReadInt16(b, at);
                    bool optional = k < nin && IsOptionalInput(code, k);
                    if (t < -1 || t >= tensorCount || (t == -1 && !optional))
                        throw Op(i, at, (k < nin ? "input " + k : "output") + " tensor index " + t + " is out of range (0.." + (tensorCount - 1) + ")");
                }
                int output = OperatorOutput(i);
                for (int k = 0; k < nout; k++)
                {
                    int t = OperatorOutput(i, k);
                    if (TensorIsConstant(t)) throw Op(i, r, "writes to constant tensor " + t);
                    for (int j = 0; j < k; j++)
                        if (OperatorOutput(i, j) == t) throw Op(i, r, "writes tensor " + t + " as two outputs");
                }
                Ops[row + SlotIn0] = Binding(OperatorInput(i, 0));
                Ops[row + SlotIn1] = nin > 1 ? Binding(OperatorInput(i, 1)) : NoTensor;
                Ops[row + SlotIn2] = nin > 2 ? Binding(OperatorInput(i, 2)) : NoTensor;
                Ops[row + SlotOut] = Binding(output);
                Ops[row + SlotOutBytes] = TensorBytes(output);
                Prepared[i] = Prepare(i, code, paramsAt + 4 * paramStart);
            }
        }

        OperatorInfo CreateOperatorInfo(int i)
        {
            byte[] b = Blob;
            int r = OperatorRecord(i);
            int row = i * OpStride;
            OperatorInfo op = new OperatorInfo();
            op.Index = i;
            op.Code = Ops[row + SlotCode];
            int nin = OperatorInputCount(i);
            int[] inputs = new int[nin];
            for (int k = 0; k < nin; k++) inputs[k] = OperatorInput(i, k);
            op.Inputs = inputs;
            int[] outputs = new int[b[r + 3]];
            for (int k = 0; k < outputs.Length; k++) outputs[k] = OperatorOutput(i, k);
            op.Outputs = outputs;
            op.ParamStart = LittleEndian.ReadInt32(b, r + 8);
            op.ParamCount = LittleEndian.ReadInt32(b, r + 12);
            op.SourceIndex = LittleEndian.ReadInt32(b, r + 16);
            op.SourceBuiltinCode = LittleEndian.ReadInt32(b, r + 20);
            op.Params = Prepared[i];
            op.MultiplierStart = Ops[row + SlotMultipliers];
            op.ShiftStart = Ops[row + SlotShifts];
            return op;
        }

        static bool IsOptionalInput(int code, int input)
        {
            // The bias of convolutions, transpose convolutions, fully-connected layers and SVDF may be absent; so may an LSTM's
            // peephole (9..11), projection (16, 17) and layer norm (20..23) inputs (and must be: PrepareLstm).
            if (code == OpCode.UnidirectionalSequenceLstm) return IsLstmAbsentInput(input);
            return input == 2 && (code == OpCode.Conv2D || code == OpCode.DepthwiseConv2D || code == OpCode.FullyConnected
                || code == OpCode.TransposeConv)
                || input == 3 && code == OpCode.Svdf;
        }

        MoteFormatException Op(int op, int offset, string message)
        {
            return new MoteFormatException("OPERATORS", offset, "operator " + op + " (" + OpCode.Name(OperatorCode(op)) + "): " + message);
        }

        int Word(int paramsAt, int k) { return LittleEndian.ReadInt32(Blob, paramsAt + 4 * k); }

        /// <summary>Validates operator <paramref name="op"/> against its tensors and derives its kernel parameters.</summary>
        object Prepare(int op, int code, int p)
        {
            switch (code)
            {
                case OpCode.Conv2D:
                case OpCode.DepthwiseConv2D:
                    return PrepareConv(op, code, p);
                case OpCode.FullyConnected:
                    return PrepareFullyConnected(op, p);
                case OpCode.Add:
                    if (TensorType(OperatorOutput(op)) == DataType.Int32) return PrepareBinaryInt32(op, code, p);
                    return PrepareAdd(op, p);
                case OpCode.Sub:
                    return PrepareAdd(op, p);
                case OpCode.AveragePool2D:
                case OpCode.MaxPool2D:
                    return PreparePool(op, p);
                case OpCode.Softmax:
                    return PrepareSoftmax(op, p);
                case OpCode.Reshape:
                case OpCode.Squeeze:
                    {
                        int input = OperatorInput(op, 0), output = OperatorOutput(op);
                        if (TensorBytes(input) != TensorBytes(output))
                            throw Op(op, -1, "input has " + TensorBytes(input) + " bytes but output has " + TensorBytes(output));
                        return null; // a byte copy: the operator table's output byte count is all it needs
                    }
                case OpCode.Mul:
                    if (TensorType(OperatorOutput(op)) == DataType.Int32) return PrepareBinaryInt32(op, code, p);
                    return PrepareMul(op, p);
                case OpCode.Logistic:
                case OpCode.Tanh:
                    return PrepareFixedPointActivation(op, p);
                case OpCode.LeakyRelu:
                    return PrepareLeakyRelu(op, p);
                case OpCode.Relu:
                    return PrepareRelu(op, p);
                case OpCode.Relu6:
                    return PrepareRelu6(op, p);
                case OpCode.Pad:
                    return PreparePad(op, p);
                case OpCode.Concatenation:
                    return PrepareConcatenation(op, p);
                case OpCode.UnidirectionalSequenceLstm:
                    return PrepareLstm(op, p);
                case OpCode.Quantize:
                    return PrepareQuantize(op, p);
                case OpCode.HardSwish:
                    return PrepareHardSwish(op, p);
                case OpCode.Mean:
                    return PrepareMean(op, p);
                case OpCode.Dequantize:
                    return PrepareDequantize(op, p);
                case OpCode.StridedSlice:
                    return PrepareStridedSlice(op, p);
                case OpCode.Transpose:
                    return PrepareTranspose(op, p);
                case OpCode.Cast:
                case OpCode.Div:
                case OpCode.Maximum:
                case OpCode.Minimum:
                case OpCode.SignalWindow:
                case OpCode.SignalRfft:
                case OpCode.SignalEnergy:
                case OpCode.SignalFilterBank:
                case OpCode.SignalFilterBankSquareRoot:
                case OpCode.SignalFilterBankSpectralSubtraction:
                case OpCode.SignalFilterBankLog:
                case OpCode.SignalPcan:
                case OpCode.SignalFftAutoScale:
                    return PrepareAudio(op, code, p);
                case OpCode.Svdf:
                    return PrepareSvdf(op, p);
                case OpCode.TransposeConv:
                    return PrepareTransposeConv(op, p);
                default:
                    return null; // unreachable: ReadOperators rejected unknown codes
            }
        }

        void RequireType(int op, int t, int dtype, int rank, string role)
        {
            if (TensorType(t) != dtype)
                throw Op(op, -1, role + " tensor " + t + " is " + DataType.Name(TensorType(t)) + ", expected " + DataType.Name(dtype));
            if (rank >= 0 && TensorRank(t) != rank)
                throw Op(op, -1, role + " tensor " + t + " has rank " + TensorRank(t) + ", expected " + rank);
        }

        void RequireActivationRange(int op, int min, int max, int at)
        {
            if (min < -128 || max > 127 || min > max)
                throw Op(op, at, "activation range [" + min + ", " + max + "] is not inside [-128, 127]");
        }

        static bool InRange(int v, int lo, int hi) { return v >= lo && v <= hi; }

        /// <summary>
        /// Checks an op's input offset (minus an int8 zero point, [-127, 128]) and output offset
        /// (an int8 zero point, [-128, 127]).
        /// </summary>
        void RequireOffsets(int op, int inputOffset, int outputOffset, int at)
        {
            if (!InRange(inputOffset, -127, 128) || !InRange(outputOffset, -128, 127))
                throw Op(op, at, "zero point offsets out of int8 range");
        }

        /// <summary>
        /// Checks an output extent against TFLM's padding rule: SAME gives ceil(in/stride), VALID
        /// gives (in - effective + stride)/stride, and the leading pad is max(total, 0)/2.
        /// </summary>
        void RequireSpatial(int op, string axis, int input, int filter, int stride, int dilation, int pad, int output, int at)
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

        /// <summary>
        /// The channel stride (0 or 1) of operator <paramref name="op"/>'s requantization tables: format 1.2's
        /// stride word when the operator has it (word <paramref name="strideWord"/>, checked against the
        /// blob's version in ReadOperators), else 1 (the shorter 1.0 form: per-channel tables).
        /// </summary>
        int RequantStride(int op, int p, int strideWord)
        {
            if (LittleEndian.ReadInt32(Blob, OperatorRecord(op) + 12) == strideWord) return 1;
            int stride = Word(p, strideWord);
            if (stride != 0 && stride != 1)
                throw Op(op, p + 4 * strideWord, "requantization stride " + stride
                    + " is neither 0 (one multiplier and shift shared by all channels) nor 1 (one per channel)");
            return stride;
        }

        /// <summary>Checks a requantization table of <paramref name="entries"/> int32s (one per channel, or one shared) inside CONSTANTS.</summary>
        int RequireTable(int op, int offset, int entries, bool shifts, int at)
        {
            int cs = constantsAt;
            int ce = cs + constantsLength;
            if (offset < cs || offset % 4 != 0 || (long)offset + 4L * entries > ce)
                throw Op(op, at, (shifts ? "shift" : "multiplier") + " table at " + offset + " (" + entries
                    + (entries == 1 ? " entry" : " entries") + ") lies outside CONSTANTS");
            for (int c = 0; c < entries; c++)
            {
                int v = LittleEndian.ReadInt32(Blob, offset + 4 * c);
                if (shifts ? !InRange(v, -31, 30) : v < 0)
                    throw Op(op, offset + 4 * c, (shifts ? "shift " : "multiplier ") + v + " of channel " + c + " is out of range");
            }
            return offset;
        }

        void RequireBias(int op, int bias, int channels)
        {
            if (bias < 0) return;
            RequireType(op, bias, DataType.Int32, -1, "bias");
            if (TensorElements(bias) != channels)
                throw Op(op, -1, "bias tensor " + bias + " has " + TensorElements(bias) + " elements, expected " + channels);
        }

        ConvParams PrepareConv(int op, int code, int p)
        {
            bool depthwise = code == OpCode.DepthwiseConv2D;
            int input = OperatorInput(op, 0), filter = OperatorInput(op, 1), bias = OperatorInput(op, 2), output = OperatorOutput(op);
            // int16 activations select the 16x8 variant (same op code and words).
            bool wide = TensorType(input) == DataType.Int16;
            int activationType = wide ? DataType.Int16 : DataType.Int8;
            RequireType(op, input, activationType, 4, "input");
            RequireType(op, filter, DataType.Int8, 4, "filter");
            RequireType(op, output, activationType, 4, "output");
            if (!TensorIsConstant(filter)) throw Op(op, -1, "filter tensor " + filter + " is not constant");
            ConvParams c = new ConvParams();
            c.Batches = TensorDim(input, 0);
            c.InputHeight = TensorDim(input, 1);
            c.InputWidth = TensorDim(input, 2);
            c.InputChannels = TensorDim(input, 3);
            c.FilterHeight = TensorDim(filter, 1);
            c.FilterWidth = TensorDim(filter, 2);
            c.OutputHeight = TensorDim(output, 1);
            c.OutputWidth = TensorDim(output, 2);
            c.OutputChannels = TensorDim(output, 3);
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
            if (TensorDim(output, 0) != c.Batches) throw Op(op, -1, "output batch " + TensorDim(output, 0) + " differs from input batch " + c.Batches);
            if (depthwise)
            {
                if (TensorDim(filter, 0) != 1) throw Op(op, -1, "depthwise filter must be [1,KH,KW,C], got " + ShapeText(filter));
                if (c.DepthMultiplier < 1 || (long)c.InputChannels * c.DepthMultiplier != c.OutputChannels || TensorDim(filter, 3) != c.OutputChannels)
                    throw Op(op, p + 40, "channels do not match: input " + c.InputChannels + " x multiplier " + c.DepthMultiplier
                        + ", filter " + TensorDim(filter, 3) + ", output " + c.OutputChannels);
            }
            else
            {
                if (c.DepthMultiplier != 1) throw Op(op, p + 40, "depth multiplier word must be 1 for CONV_2D");
                if (TensorDim(filter, 3) != c.InputChannels || TensorDim(filter, 0) != c.OutputChannels)
                    throw Op(op, -1, "filter " + ShapeText(filter) + " does not match input channels " + c.InputChannels + " and output channels " + c.OutputChannels);
            }
            RequireSpatial(op, "height", c.InputHeight, c.FilterHeight, c.StrideHeight, c.DilationHeight, c.PadTop, c.OutputHeight, p);
            RequireSpatial(op, "width", c.InputWidth, c.FilterWidth, c.StrideWidth, c.DilationWidth, c.PadLeft, c.OutputWidth, p + 4);
            c.RequantStride = RequantStride(op, p, OpCode.RequantStrideWord(code));
            int entries = c.RequantStride == 0 ? 1 : c.OutputChannels;
            if (wide)
            {
                c.ActivationType = DataType.Int16;
                Require16x8(op, c.InputOffset, c.OutputOffset, c.ActivationMin, c.ActivationMax, p + 24, p + 32);
                c.BiasType = RequireBias16x8(op, bias, c.OutputChannels, false);
                // TFLM's 16x8 DEPTHWISE_CONV_2D reads the bias as int64 whatever its type: an int32 one would be misread.
                if (depthwise && c.BiasType == DataType.Int32)
                    throw Op(op, -1, "bias tensor " + bias + " is int32, expected int64 (16x8 DEPTHWISE_CONV_2D)");
                SetTables(op, RequireTable(op, Word(p, 11), entries, false, p + 44), RequireShifts16x8(op, Word(p, 12), entries, p + 48, c.BiasType));
                return c;
            }
            RequireOffsets(op, c.InputOffset, c.OutputOffset, p + 24);
            RequireActivationRange(op, c.ActivationMin, c.ActivationMax, p + 32);
            RequireBias(op, bias, c.OutputChannels);
            SetTables(op, RequireTable(op, Word(p, 11), entries, false, p + 44), RequireTable(op, Word(p, 12), entries, true, p + 48));
            return c;
        }

        /// <summary>
        /// 16x8 operators: TFLM's kernels apply no zero points, so the offset words must be 0, and the
        /// activation range must lie inside int16.
        /// </summary>
        void Require16x8(int op, int inputOffset, int outputOffset, int min, int max, int offsetsAt, int rangeAt)
        {
            if (inputOffset != 0 || outputOffset != 0)
                throw Op(op, offsetsAt, "int16 activations need zero points 0, the offset words are " + inputOffset + " and " + outputOffset);
            if (min < -32768 || max > 32767 || min > max)
                throw Op(op, rangeAt, "activation range [" + min + ", " + max + "] is not inside [-32768, 32767]");
        }

        /// <summary>
        /// The bias of a 16x8 operator: absent (returns 0), int64, int32 (CONV_2D only: TFLM then
        /// accumulates in int32) or int16 (TRANSPOSE_CONV only: TFLM widens it to int64), one per
        /// output channel. Returns its dtype.
        /// </summary>
        int RequireBias16x8(int op, int bias, int channels, bool transposeConv)
        {
            if (bias < 0) return 0;
            int type = TensorType(bias);
            int other = transposeConv ? DataType.Int16 : DataType.Int32;
            if (type != DataType.Int64 && type != other)
                throw Op(op, -1, "bias tensor " + bias + " is " + DataType.Name(type) + ", expected int64 or " + DataType.Name(other)
                    + " with int16 activations");
            if (TensorElements(bias) != channels)
                throw Op(op, -1, "bias tensor " + bias + " has " + TensorElements(bias) + " elements, expected " + channels);
            return type;
        }

        /// <summary>
        /// The shift table of a 16x8 operator: the 64-bit MultiplyByQuantizedMultiplier shifts right by
        /// 15 - shift, which must be 1..46, so shifts are -31..14 (TFLM's contract is -31..7). An int32
        /// accumulator (CONV_2D's int32 bias) uses the usual table range.
        /// </summary>
        int RequireShifts16x8(int op, int offset, int entries, int at, int biasType)
        {
            RequireTable(op, offset, entries, true, at);
            if (biasType == DataType.Int32) return offset;
            for (int c = 0; c < entries; c++)
            {
                int v = LittleEndian.ReadInt32(Blob, offset + 4 * c);
                if (v > 14) throw Op(op, offset + 4 * c, "shift " + v + " of channel " + c + " is out of range for an int64 accumulator (-31..14)");
            }
            return offset;
        }

        /// <summary>
        /// TRANSPOSE_CONV: inputs (input, filter, bias or -1); words stride_h, stride_w, pad_top, pad_left,
        /// input_offset, output_offset, act_min, act_max, multiplier table, shift table. TFLite's
        /// output_shape input is not an input here: the output tensor's shape is the output shape
        /// (TFLM reads that too and ignores the output_shape tensor's values).
        /// </summary>
        TransposeConvParams PrepareTransposeConv(int op, int p)
        {
            int input = OperatorInput(op, 0), filter = OperatorInput(op, 1), bias = OperatorInput(op, 2), output = OperatorOutput(op);
            bool wide = TensorType(input) == DataType.Int16;
            int activationType = wide ? DataType.Int16 : DataType.Int8;
            RequireType(op, input, activationType, 4, "input");
            RequireType(op, filter, DataType.Int8, 4, "filter");
            RequireType(op, output, activationType, 4, "output");
            if (!TensorIsConstant(filter)) throw Op(op, -1, "filter tensor " + filter + " is not constant");
            TransposeConvParams c = new TransposeConvParams();
            c.ActivationType = activationType;
            c.Batches = TensorDim(input, 0);
            c.InputHeight = TensorDim(input, 1);
            c.InputWidth = TensorDim(input, 2);
            c.InputChannels = TensorDim(input, 3);
            c.FilterHeight = TensorDim(filter, 1);
            c.FilterWidth = TensorDim(filter, 2);
            c.OutputHeight = TensorDim(output, 1);
            c.OutputWidth = TensorDim(output, 2);
            c.OutputChannels = TensorDim(output, 3);
            c.StrideHeight = Word(p, 0);
            c.StrideWidth = Word(p, 1);
            c.PadTop = Word(p, 2);
            c.PadLeft = Word(p, 3);
            c.InputOffset = Word(p, 4);
            c.OutputOffset = Word(p, 5);
            c.ActivationMin = Word(p, 6);
            c.ActivationMax = Word(p, 7);
            if (TensorDim(output, 0) != c.Batches) throw Op(op, -1, "output batch " + TensorDim(output, 0) + " differs from input batch " + c.Batches);
            if (TensorDim(filter, 3) != c.InputChannels || TensorDim(filter, 0) != c.OutputChannels)
                throw Op(op, -1, "filter " + ShapeText(filter) + " does not match input channels " + c.InputChannels + " and output channels " + c.OutputChannels);
            RequireTransposeSpatial(op, "height", c.OutputHeight, c.FilterHeight, c.StrideHeight, c.PadTop, p);
            RequireTransposeSpatial(op, "width", c.OutputWidth, c.FilterWidth, c.StrideWidth, c.PadLeft, p + 4);
            int shifts;
            if (wide)
            {
                Require16x8(op, c.InputOffset, c.OutputOffset, c.ActivationMin, c.ActivationMax, p + 16, p + 24);
                c.BiasType = RequireBias16x8(op, bias, c.OutputChannels, true);
                shifts = RequireShifts16x8(op, Word(p, 9), c.OutputChannels, p + 36, DataType.Int64);
            }
            else
            {
                RequireOffsets(op, c.InputOffset, c.OutputOffset, p + 16);
                RequireActivationRange(op, c.ActivationMin, c.ActivationMax, p + 24);
                RequireBias(op, bias, c.OutputChannels);
                c.BiasType = bias < 0 ? 0 : DataType.Int32;
                shifts = RequireTable(op, Word(p, 9), c.OutputChannels, true, p + 36);
            }
            SetTables(op, RequireTable(op, Word(p, 8), c.OutputChannels, false, p + 32), shifts);
            return c;
        }

        /// <summary>
        /// TRANSPOSE_CONV's leading pad along one axis: what TFLM's ComputePaddingHeightWidth gives with
        /// the OUTPUT extent as the image size (dilation 1): 0 for VALID, and for SAME
        /// max((ceil(out / stride) - 1) * stride + filter - out, 0) / 2. The input extent is not tied to
        /// the output's (TFLM does not check it either); the kernel skips taps that land outside.
        /// </summary>
        void RequireTransposeSpatial(int op, string axis, int output, int filter, int stride, int pad, int at)
        {
            if (!InRange(stride, 1, 65535) || !InRange(filter, 1, 65535))
                throw Op(op, at, axis + ": stride " + stride + " or filter " + filter + " is outside 1..65535");
            long same = ((long)output + stride - 1) / stride;
            long total = (same - 1) * stride + filter - output;
            long samePad = total > 0 ? total / 2 : 0;
            if (pad != 0 && pad != samePad)
                throw Op(op, at + 8, axis + ": leading pad " + pad + " is neither 0 (VALID) nor the " + samePad + " SAME gives");
        }

        void SetTables(int op, int multipliers, int shifts)
        {
            Ops[op * OpStride + SlotMultipliers] = multipliers;
            Ops[op * OpStride + SlotShifts] = shifts;
        }

        FullyConnectedParams PrepareFullyConnected(int op, int p)
        {
            int input = OperatorInput(op, 0), filter = OperatorInput(op, 1), bias = OperatorInput(op, 2), output = OperatorOutput(op);
            // int16 activations select the 16x8 variant (same op code and words).
            bool wide = TensorType(input) == DataType.Int16;
            int activationType = wide ? DataType.Int16 : DataType.Int8;
            RequireType(op, input, activationType, -1, "input");
            RequireType(op, filter, DataType.Int8, 2, "filter");
            RequireType(op, output, activationType, -1, "output");
            if (!TensorIsConstant(filter)) throw Op(op, -1, "filter tensor " + filter + " is not constant");
            FullyConnectedParams f = new FullyConnectedParams();
            f.ActivationType = activationType;
            f.OutputDepth = TensorDim(filter, 0);
            f.AccumDepth = TensorDim(filter, 1);
            int inputElements = TensorElements(input);
            if (inputElements % f.AccumDepth != 0)
                throw Op(op, -1, "input has " + inputElements + " elements, not a multiple of the filter depth " + f.AccumDepth);
            f.Batches = inputElements / f.AccumDepth;
            if ((long)f.Batches * f.OutputDepth != TensorElements(output))
                throw Op(op, -1, "output has " + TensorElements(output) + " elements, expected " + f.Batches + " x " + f.OutputDepth);
            f.InputOffset = Word(p, 0);
            f.FilterOffset = Word(p, 1);
            f.OutputOffset = Word(p, 2);
            f.ActivationMin = Word(p, 3);
            f.ActivationMax = Word(p, 4);
            f.RequantStride = RequantStride(op, p, OpCode.RequantStrideWord(OpCode.FullyConnected));
            if (wide)
            {
                // TFLM's 16x8 kernels would add the offsets, but int16 activations and int8 weights
                // are symmetric: all three words must be 0 (the kernel does not read them).
                Require16x8(op, f.InputOffset, f.OutputOffset, f.ActivationMin, f.ActivationMax, p, p + 12);
                if (f.FilterOffset != 0) throw Op(op, p + 4, "int16 activations need filter zero point 0, the offset word is " + f.FilterOffset);
                f.BiasType = RequireBias16x8(op, bias, f.OutputDepth, false);
                int n = f.RequantStride == 0 ? 1 : f.OutputDepth;
                SetTables(op, RequireTable(op, Word(p, 5), n, false, p + 20), RequireShifts16x8(op, Word(p, 6), n, p + 24, f.BiasType));
                return f;
            }
            if (!InRange(f.InputOffset, -127, 128) || !InRange(f.FilterOffset, -127, 128) || !InRange(f.OutputOffset, -128, 127))
                throw Op(op, p, "zero point offsets out of int8 range");
            RequireActivationRange(op, f.ActivationMin, f.ActivationMax, p + 12);
            RequireBias(op, bias, f.OutputDepth);
            int entries = f.RequantStride == 0 ? 1 : f.OutputDepth;
            SetTables(op, RequireTable(op, Word(p, 5), entries, false, p + 20), RequireTable(op, Word(p, 6), entries, true, p + 24));
            return f;
        }

        /// <summary>
        /// ADD (op code 4) and SUB (24): the same 12 parameter words for int8 and int16 (TFLM's
        /// OpDataAdd / OpDataSub). The element type is the output tensor's; both inputs must
        /// have it. int8: left shift 0..24, offsets in int8 range, activation range inside
        /// [-128, 127]. int16: left shift 0..15, all three offsets 0 (symmetric int16, what
        /// TFLite requires of int16 ADD/SUB; TFLM's int16 SUB asserts it), activation range
        /// inside [-32768, 32767].
        /// </summary>
        AddParams PrepareAdd(int op, int p)
        {
            int a = OperatorInput(op, 0), b = OperatorInput(op, 1), output = OperatorOutput(op);
            string name = OpCode.Name(OperatorCode(op));
            int dtype = TensorType(output);
            if (dtype != DataType.Int8 && dtype != DataType.Int16)
                throw Op(op, -1, "output tensor " + output + " is " + DataType.Name(dtype) + "; " + name + " supports int8 and int16");
            RequireBroadcastOperands(op, a, b, output, name, dtype);
            AddParams s = new AddParams();
            s.ElementType = dtype;
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
            if (dtype == DataType.Int16)
            {
                if (!InRange(s.LeftShift, 0, 15)) throw Op(op, p, "left shift " + s.LeftShift + " outside 0..15 (int16)");
                if (s.Input1Offset != 0 || s.Input2Offset != 0 || s.OutputOffset != 0)
                    throw Op(op, p + 4, "int16 zero points must be 0");
            }
            else
            {
                if (!InRange(s.LeftShift, 0, 24)) throw Op(op, p, "left shift " + s.LeftShift + " outside 0..24");
                if (!InRange(s.Input1Offset, -127, 128) || !InRange(s.Input2Offset, -127, 128) || !InRange(s.OutputOffset, -128, 127))
                    throw Op(op, p + 4, "zero point offsets out of int8 range");
            }
            if (s.Input1Multiplier < 0 || s.Input2Multiplier < 0 || s.OutputMultiplier < 0
                || !InRange(s.Input1Shift, -31, 30) || !InRange(s.Input2Shift, -31, 30) || !InRange(s.OutputShift, -31, 30))
                throw Op(op, p + 8, "multiplier or shift out of range");
            if (dtype == DataType.Int16) RequireActivationRangeInt16(op, s.ActivationMin, s.ActivationMax, p + 40);
            else RequireActivationRange(op, s.ActivationMin, s.ActivationMax, p + 40);
            s.FlatSize = TensorElements(output);
            s.Broadcast = RequireBroadcast(op, a, b, output, false);
            if (s.Broadcast)
            {
                s.Input1Shape = Extend(a, 4);
                s.Input2Shape = Extend(b, 4);
                s.OutputShape = Extend(output, 4);
            }
            return s;
        }

        void RequireActivationRangeInt16(int op, int min, int max, int at)
        {
            if (min < -32768 || max > 32767 || min > max)
                throw Op(op, at, "activation range [" + min + ", " + max + "] is not inside [-32768, 32767]");
        }

        /// <summary>The two inputs and the output of ADD, SUB or MUL: all of type <paramref name="dtype"/>, at most 4-D.</summary>
        void RequireBroadcastOperands(int op, int a, int b, int output, string name, int dtype)
        {
            RequireType(op, a, dtype, -1, "input 1");
            RequireType(op, b, dtype, -1, "input 2");
            RequireType(op, output, dtype, -1, "output");
            if (TensorRank(a) > 4 || TensorRank(b) > 4 || TensorRank(output) > 4)
                throw Op(op, -1, name + " supports up to 4 dimensions");
        }

        /// <summary>
        /// Checks NumPy broadcasting of inputs a and b (shapes extended to 4-D) to the output's:
        /// each input dimension equals the output's or is 1; with <paramref name="exactOutput"/>
        /// (MUL) the output must also be exactly the broadcast shape, so an output dimension is
        /// one of the inputs'. Returns whether any input dimension differs from the output's.
        /// </summary>
        bool RequireBroadcast(int op, int a, int b, int output, bool exactOutput)
        {
            bool broadcast = false;
            for (int d = 0; d < 4; d++)
            {
                int d1 = ExtendedDim(a, 4, d), d2 = ExtendedDim(b, 4, d), o = ExtendedDim(output, 4, d);
                if ((d1 != o && d1 != 1) || (d2 != o && d2 != 1) || (exactOutput && d1 != o && d2 != o))
                    throw Op(op, -1, "shapes " + ShapeText(a) + " and " + ShapeText(b) + " do not broadcast to " + ShapeText(output));
                if (d1 != o || d2 != o) broadcast = true;
            }
            return broadcast;
        }

        PoolParams PreparePool(int op, int p)
        {
            int input = OperatorInput(op, 0), output = OperatorOutput(op);
            // int8 or (format 1.3) int16, the input's type; TFLM's int16 pooling is the same algorithm.
            int dtype = TensorType(input) == DataType.Int16 ? DataType.Int16 : DataType.Int8;
            RequireType(op, input, dtype, 4, "input");
            RequireType(op, output, dtype, 4, "output");
            PoolParams s = new PoolParams();
            s.ElementType = dtype;
            s.Batches = TensorDim(input, 0);
            s.InputHeight = TensorDim(input, 1);
            s.InputWidth = TensorDim(input, 2);
            s.Channels = TensorDim(input, 3);
            s.OutputHeight = TensorDim(output, 1);
            s.OutputWidth = TensorDim(output, 2);
            if (TensorDim(output, 0) != s.Batches || TensorDim(output, 3) != s.Channels)
                throw Op(op, -1, "output " + ShapeText(output) + " does not keep the batch and channels of input " + ShapeText(input));
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
            if (dtype == DataType.Int16) RequireActivationRangeInt16(op, s.ActivationMin, s.ActivationMax, p + 24);
            else RequireActivationRange(op, s.ActivationMin, s.ActivationMax, p + 24);
            return s;
        }

        SoftmaxParams PrepareSoftmax(int op, int p)
        {
            int input = OperatorInput(op, 0), output = OperatorOutput(op);
            RequireType(op, input, DataType.Int8, -1, "input");
            // int8 -> int16 (format 1.3) is the variant TFLM's softmax offers for int8 input.
            bool wide = TensorType(output) == DataType.Int16;
            RequireType(op, output, wide ? DataType.Int16 : DataType.Int8, -1, "output");
            if (TensorRank(input) < 1 || TensorElements(input) != TensorElements(output))
                throw Op(op, -1, "input " + ShapeText(input) + " and output " + ShapeText(output) + " differ");
            SoftmaxParams s = new SoftmaxParams();
            s.OutputIsInt16 = wide;
            s.Depth = TensorDim(input, TensorRank(input) - 1);
            s.Rows = TensorElements(input) / s.Depth;
            s.InputMultiplier = Word(p, 0);
            s.InputLeftShift = Word(p, 1);
            s.DiffMin = Word(p, 2);
            if (s.InputMultiplier < 0 || !InRange(s.InputLeftShift, 0, 31) || s.DiffMin > 0)
                throw Op(op, p, "softmax multiplier " + s.InputMultiplier + ", left shift " + s.InputLeftShift + " or diff_min " + s.DiffMin + " out of range");
            return s;
        }

        // ---------------------------------------------------------------- format 1.1 operators

        /// <summary>Checks a requantization multiplier (non-negative) and TFLM-convention shift ([-31, 30]).</summary>
        void RequireMultiplier(int op, int multiplier, int shift, int at, string what)
        {
            if (multiplier < 0 || !InRange(shift, -31, 30))
                throw Op(op, at, what + " multiplier " + multiplier + " or shift " + shift + " is out of range");
        }

        /// <summary>Input and output of an element-wise op: int8, equal element counts; returns the count.</summary>
        int RequireElementwise(int op)
        {
            return RequireElementwise(op, DataType.Int8);
        }

        /// <summary>Input and output of an element-wise op: both <paramref name="dtype"/>, equal element counts; returns the count.</summary>
        int RequireElementwise(int op, int dtype)
        {
            int input = OperatorInput(op, 0), output = OperatorOutput(op);
            RequireType(op, input, dtype, -1, "input");
            RequireType(op, output, dtype, -1, "output");
            if (TensorElements(input) != TensorElements(output))
                throw Op(op, -1, "input " + ShapeText(input) + " and output " + ShapeText(output) + " have different element counts");
            return TensorElements(input);
        }

        /// <summary>
        /// MUL (op code 9): int8, or (1.3) int16 with all three offsets 0 (TFLM's int16 MUL checks
        /// the zero points in Prepare and Eval); the element type is the output tensor's.
        /// </summary>
        MulParams PrepareMul(int op, int p)
        {
            int a = OperatorInput(op, 0), b = OperatorInput(op, 1), output = OperatorOutput(op);
            int dtype = TensorType(output) == DataType.Int16 ? DataType.Int16 : DataType.Int8;
            RequireBroadcastOperands(op, a, b, output, "MUL", dtype);
            MulParams s = new MulParams();
            s.ElementType = dtype;
            s.Input1Offset = Word(p, 0);
            s.Input2Offset = Word(p, 1);
            s.OutputOffset = Word(p, 2);
            s.OutputMultiplier = Word(p, 3);
            s.OutputShift = Word(p, 4);
            s.ActivationMin = Word(p, 5);
            s.ActivationMax = Word(p, 6);
            if (dtype == DataType.Int16)
            {
                if (s.Input1Offset != 0 || s.Input2Offset != 0 || s.OutputOffset != 0)
                    throw Op(op, p, "int16 zero points must be 0");
            }
            else if (!InRange(s.Input1Offset, -127, 128) || !InRange(s.Input2Offset, -127, 128) || !InRange(s.OutputOffset, -128, 127))
                throw Op(op, p, "zero point offsets out of int8 range");
            RequireMultiplier(op, s.OutputMultiplier, s.OutputShift, p + 12, "output");
            if (dtype == DataType.Int16) RequireActivationRangeInt16(op, s.ActivationMin, s.ActivationMax, p + 20);
            else RequireActivationRange(op, s.ActivationMin, s.ActivationMax, p + 20);
            s.FlatSize = TensorElements(output);
            s.Broadcast = RequireBroadcast(op, a, b, output, true);
            if (s.Broadcast)
            {
                s.Input1Shape = Extend(a, 4);
                s.Input2Shape = Extend(b, 4);
                s.OutputShape = Extend(output, 4);
            }
            return s;
        }

        FixedPointActivationParams PrepareFixedPointActivation(int op, int p)
        {
            FixedPointActivationParams s = new FixedPointActivationParams();
            s.Size = RequireElementwise(op);
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

        LeakyReluParams PrepareLeakyRelu(int op, int p)
        {
            LeakyReluParams s = new LeakyReluParams();
            // int8 or int16 (TFLM's QuantizeLeakyRelu<int8_t / int16_t>), input and output alike.
            int dtype = TensorType(OperatorOutput(op));
            s.ElementType = dtype == DataType.Int16 ? DataType.Int16 : DataType.Int8;
            s.Size = RequireElementwise(op, s.ElementType);
            s.InputOffset = Word(p, 0);
            s.OutputOffset = Word(p, 1);
            s.IdentityMultiplier = Word(p, 2);
            s.IdentityShift = Word(p, 3);
            s.AlphaMultiplier = Word(p, 4);
            s.AlphaShift = Word(p, 5);
            if (s.ElementType == DataType.Int16)
            {
                // Any int16 zero points (TFLM checks none): the kernel's arithmetic is int32 with
                // |x + InputOffset| <= 65535 and wraps like the reference build otherwise.
                if (!InRange(s.InputOffset, -32767, 32768) || !InRange(s.OutputOffset, -32768, 32767))
                    throw Op(op, p, "zero point offsets out of int16 range");
            }
            else
            {
                RequireOffsets(op, s.InputOffset, s.OutputOffset, p);
            }
            RequireMultiplier(op, s.IdentityMultiplier, s.IdentityShift, p + 8, "identity");
            // A negative alpha gives a negative multiplier; its magnitude must be representable.
            if (s.AlphaMultiplier == int.MinValue || !InRange(s.AlphaShift, -31, 30))
                throw Op(op, p + 16, "alpha multiplier " + s.AlphaMultiplier + " or shift " + s.AlphaShift + " is out of range");
            return s;
        }

        ReluParams PrepareRelu(int op, int p)
        {
            ReluParams s = new ReluParams();
            s.Size = RequireElementwise(op);
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

        Relu6Params PrepareRelu6(int op, int p)
        {
            Relu6Params s = new Relu6Params();
            s.Size = RequireElementwise(op);
            s.Lower = Word(p, 0);
            s.Upper = Word(p, 1);
            RequireActivationRange(op, s.Lower, s.Upper, p);
            return s;
        }

        RequantizeParams PrepareQuantize(int op, int p)
        {
            int input = OperatorInput(op, 0), output = OperatorOutput(op);
            int inType = TensorType(input), outType = TensorType(output);
            // TFLM EvalQuantizeReference's integer pairs, and float32 -> int8/int16 (no uint8 in Mote).
            bool intIn = inType == DataType.Int8 || inType == DataType.Int16;
            bool ok = (intIn && (outType == DataType.Int8 || outType == DataType.Int16 || outType == DataType.Int32))
                || ((inType == DataType.Int32 || inType == DataType.Float32) && (outType == DataType.Int8 || outType == DataType.Int16));
            if (!ok)
                throw Op(op, -1, "QUANTIZE from " + DataType.Name(inType) + " to " + DataType.Name(outType) + " is not supported");
            if (TensorElements(input) != TensorElements(output))
                throw Op(op, -1, "input " + ShapeText(input) + " and output " + ShapeText(output) + " have different element counts");
            RequantizeParams s = new RequantizeParams();
            s.Size = TensorElements(input);
            s.InputType = inType;
            s.OutputType = outType;
            s.InputOffset = Word(p, 0);
            s.OutputOffset = Word(p, 1);
            s.OutputMultiplier = Word(p, 2);
            s.OutputShift = Word(p, 3);
            if (!ZeroPointFits(outType, s.OutputOffset))
                throw Op(op, p + 4, "output offset " + s.OutputOffset + " is outside the " + DataType.Name(outType) + " range");
            if (inType == DataType.Float32)
            {
                // Words: 0, output zero point, output scale (float32 bits), 0.
                s.Scale = BitConverter.ToSingle(Blob, p + 8);
                if (s.InputOffset != 0 || s.OutputShift != 0 || !(s.Scale > 0f) || s.Scale > float.MaxValue)
                    throw Op(op, p, "float32 QUANTIZE words must be 0, zero point, a finite positive scale, 0");
                return s;
            }
            // The input offset is minus an input zero point (int32 zero points may be anything).
            if (inType != DataType.Int32 && !ZeroPointFits(inType, -(long)s.InputOffset))
                throw Op(op, p, "input offset " + s.InputOffset + " is not minus an " + DataType.Name(inType) + " zero point");
            RequireMultiplier(op, s.OutputMultiplier, s.OutputShift, p + 8, "output");
            return s;
        }

        /// <summary>Whether <paramref name="zp"/> is a value of an int8, int16 or int32 tensor.</summary>
        static bool ZeroPointFits(int dtype, long zp)
        {
            switch (dtype)
            {
                case DataType.Int8: return zp >= -128 && zp <= 127;
                case DataType.Int16: return zp >= -32768 && zp <= 32767;
                default: return zp >= int.MinValue && zp <= int.MaxValue;
            }
        }

        DequantizeParams PrepareDequantize(int op, int p)
        {
            int input = OperatorInput(op, 0), output = OperatorOutput(op);
            int inType = TensorType(input);
            if (inType != DataType.Int8 && inType != DataType.Int16)
                throw Op(op, -1, "DEQUANTIZE input tensor " + input + " is " + DataType.Name(inType) + ", expected int8 or int16");
            RequireType(op, output, DataType.Float32, -1, "output");
            if (TensorElements(input) != TensorElements(output))
                throw Op(op, -1, "input " + ShapeText(input) + " and output " + ShapeText(output) + " have different element counts");
            DequantizeParams s = new DequantizeParams();
            s.Size = TensorElements(input);
            s.InputType = inType;
            s.ZeroPoint = Word(p, 0);
            if (!ZeroPointFits(inType, s.ZeroPoint))
                throw Op(op, p, "zero point " + s.ZeroPoint + " is outside the " + DataType.Name(inType) + " range");
            // Word 1: the input scale's float32 bits; positive and finite (subnormal allowed).
            int bits = Word(p, 1);
            int exponentField = (bits >> 23) & 0xFF, fraction = bits & 0x7FFFFF;
            if (bits <= 0 || exponentField == 0xFF)
                throw Op(op, p + 4, "scale bits 0x" + bits.ToString("X8") + " are not a finite positive float32");
            s.ScaleSignificand = exponentField == 0 ? fraction : fraction | (1 << 23);
            s.ScaleExponent = (exponentField == 0 ? 1 : exponentField) - 150;
            return s;
        }

        const int PadRank = 5;

        PadParams PreparePad(int op, int p)
        {
            int input = OperatorInput(op, 0), output = OperatorOutput(op);
            int dtype = TensorType(input);
            if (dtype != DataType.Int8 && dtype != DataType.Int16)
                throw Op(op, -1, "input tensor " + input + " is " + DataType.Name(dtype) + ", expected int8 or int16");
            RequireType(op, output, dtype, TensorRank(input), "output");
            if (TensorRank(input) > PadRank)
                throw Op(op, -1, "PAD supports up to 5 dimensions, input has " + TensorRank(input));
            int padValue = Word(p, 0);
            if (!ZeroPointFits(dtype, padValue))
                throw Op(op, p, "pad value " + padValue + " out of " + DataType.Name(dtype) + " range");
            for (int d = 0; d < PadRank; d++)
            {
                int left = Word(p, 1 + d), right = Word(p, 1 + PadRank + d);
                if (left < 0 || right < 0)
                    throw Op(op, p + 4 + 4 * d, "dimension " + d + " (of 5): paddings " + left + ", " + right + " must not be negative");
                int inExtent = ExtendedDim(input, PadRank, d), outExtent = ExtendedDim(output, PadRank, d);
                if ((long)inExtent + left + right != outExtent)
                    throw Op(op, p + 4 + 4 * d, "dimension " + d + " (of 5): input " + inExtent + " + paddings " + left + ", " + right
                        + " does not equal output " + outExtent);
            }
            PadParams s = new PadParams();
            s.PadValue = padValue;
            s.ElementSize = DataType.Size(dtype);
            s.InputShape = Extend(input, PadRank);
            s.OutputShape = Extend(output, PadRank);
            s.LeftPadding = new int[PadRank];
            s.RightPadding = new int[PadRank];
            for (int d = 0; d < PadRank; d++)
            {
                s.LeftPadding[d] = Word(p, 1 + d);
                s.RightPadding[d] = Word(p, 1 + PadRank + d);
            }
            return s;
        }

        static bool IsLstmAbsentInput(int k)
        {
            return (k >= 9 && k <= 11) || k == 16 || k == 17 || k >= 20;
        }

        /// <summary>
        /// UNIDIRECTIONAL_SEQUENCE_LSTM (docs/blob-format.md §6): TFLite's 24 inputs, int8 input/output/hidden
        /// state, int8 [state, input] and [state, state] constant weights, int32 [state] constant biases,
        /// int16 cell state; hidden and cell state in the arena (the kernel writes them).
        /// </summary>
        UnidirectionalSequenceLstmParams PrepareLstm(int op, int p)
        {
            int input = OperatorInput(op, 0), hidden = OperatorInput(op, 18), cell = OperatorInput(op, 19), output = OperatorOutput(op);
            for (int k = 0; k < OpCode.UnidirectionalSequenceLstmInputs; k++)
            {
                int t = OperatorInput(op, k);
                if (IsLstmAbsentInput(k) ? t >= 0 : t < 0)
                    throw Op(op, -1, "input " + k + (t >= 0 ? " must be absent (no peephole, projection or layer norm)" : " is missing"));
            }
            RequireType(op, input, DataType.Int8, 3, "input");
            RequireType(op, output, DataType.Int8, 3, "output");
            RequireType(op, hidden, DataType.Int8, 2, "hidden state");
            RequireType(op, cell, DataType.Int16, -1, "cell state");
            if (!TensorIsVariable(hidden) || !TensorIsVariable(cell)) throw Op(op, -1, "hidden state " + hidden + " and cell state " + cell + " must be variable tensors");
            UnidirectionalSequenceLstmParams s = new UnidirectionalSequenceLstmParams();
            int timeMajor = Word(p, 0);
            if (timeMajor != 0 && timeMajor != 1) throw Op(op, p, "time major word " + timeMajor + " is neither 0 nor 1");
            s.TimeMajor = timeMajor == 1;
            s.Batches = TensorDim(input, s.TimeMajor ? 1 : 0);
            s.TimeSteps = TensorDim(input, s.TimeMajor ? 0 : 1);
            s.InputSize = TensorDim(input, 2);
            s.StateSize = TensorDim(hidden, 1);
            s.StepBatches = s.TimeMajor ? s.Batches : 1;
            int state = s.StateSize;
            for (int k = 1; k <= 8; k++)
            {
                int w = OperatorInput(op, k);
                RequireType(op, w, DataType.Int8, 2, k <= 4 ? "input weights" : "recurrent weights");
                if (!TensorIsConstant(w)) throw Op(op, -1, "weights tensor " + w + " is not constant");
                int depth = k <= 4 ? s.InputSize : state;
                if (TensorDim(w, 0) != state || TensorDim(w, 1) != depth)
                    throw Op(op, -1, "weights tensor " + w + " is " + ShapeText(w) + ", expected [" + state + ", " + depth + "]");
            }
            for (int k = 12; k <= 15; k++)
            {
                int b = OperatorInput(op, k);
                RequireType(op, b, DataType.Int32, 1, "gate bias");
                if (!TensorIsConstant(b)) throw Op(op, -1, "bias tensor " + b + " is not constant");
                if (TensorDim(b, 0) != state) throw Op(op, -1, "bias tensor " + b + " has " + TensorDim(b, 0) + " elements, expected " + state);
            }
            if ((long)s.Batches * state != TensorElements(hidden) || (long)s.Batches * state != TensorElements(cell))
                throw Op(op, -1, "hidden state " + ShapeText(hidden) + " and cell state " + ShapeText(cell) + " must hold " + s.Batches + " x " + state + " elements");
            if (TensorDim(output, 0) != TensorDim(input, 0) || TensorDim(output, 1) != TensorDim(input, 1) || TensorDim(output, 2) != state)
                throw Op(op, -1, "output " + ShapeText(output) + " must be [" + TensorDim(input, 0) + ", " + TensorDim(input, 1) + ", " + state + "]");
            int act = Word(p, 1);
            if (act != 4 && act != 6) throw Op(op, p + 4, "cell gate activation " + act + " is neither 4 (TANH) nor 6 (SIGMOID)");
            s.CellGateSigmoid = act == 6;
            s.CellClip = Word(p, 2);
            if (!InRange(s.CellClip, -1, 32767)) throw Op(op, p + 8, "cell clip " + s.CellClip + " is outside -1..32767");
            int power = Word(p, 3);
            if (!InRange(power, -43, 2)) throw Op(op, p + 12, "cell state scale power " + power + " is outside -43..2");
            // TFLM lstm_internal::Tanh: left shift 15 + power - 3; a negative one becomes a right shift with multiplier 3.
            int tanhShift = 12 + power;
            s.CellTanhMultiplier = tanhShift < 0 ? 3 : 0;
            s.CellTanhLeftShift = tanhShift < 0 ? -tanhShift : tanhShift;
            s.InputOffset = Word(p, 4);
            s.HiddenOffset = Word(p, 5);
            s.HiddenZeroPoint = Word(p, 6);
            if (!InRange(s.InputOffset, -127, 128) || !InRange(s.HiddenOffset, -127, 128) || !InRange(s.HiddenZeroPoint, -128, 127))
                throw Op(op, p + 16, "zero point offsets out of int8 range");
            for (int k = 0; k < 8; k++)
            {
                s.GateMultipliers[k] = RequireMultiplier(op, p, 7 + 2 * k);
                s.GateShifts[k] = RequireShift(op, p, 8 + 2 * k);
            }
            s.ForgetCellMultiplier = RequireMultiplier(op, p, 23);
            s.ForgetCellShift = RequireShift(op, p, 24);
            s.InputCellMultiplier = RequireMultiplier(op, p, 25);
            s.InputCellShift = RequireShift(op, p, 26);
            s.HiddenMultiplier = RequireMultiplier(op, p, 27);
            s.HiddenShift = RequireShift(op, p, 28);
            return s;
        }

        int RequireMultiplier(int op, int p, int word)
        {
            int v = Word(p, word);
            if (v < 0) throw Op(op, p + 4 * word, "multiplier " + v + " (word " + word + ") is negative");
            return v;
        }

        int RequireShift(int op, int p, int word)
        {
            int v = Word(p, word);
            if (!InRange(v, -31, 30)) throw Op(op, p + 4 * word, "shift " + v + " (word " + word + ") is outside -31..30");
            return v;
        }

        ConcatenationParams PrepareConcatenation(int op, int p)
        {
            int output = OperatorOutput(op);
            int rank = TensorRank(output);
            int axis = Word(p, 0);
            int count = OperatorInputCount(op);
            if (rank < 1 || !InRange(axis, 0, rank - 1))
                throw Op(op, p, "axis " + axis + " is outside 0.." + (rank - 1) + " for output " + ShapeText(output));
            int esize = DataType.Size(TensorType(output));
            long outer = 1, inner = 1;
            for (int d = 0; d < axis; d++) outer *= TensorDim(output, d);
            for (int d = axis + 1; d < rank; d++) inner *= TensorDim(output, d);
            long axisTotal = 0;
            for (int i = 0; i < count; i++)
            {
                int t = OperatorInput(op, i);
                RequireType(op, t, TensorType(output), rank, "input " + i);
                for (int d = 0; d < rank; d++)
                    if (d != axis && TensorDim(t, d) != TensorDim(output, d))
                        throw Op(op, -1, "input " + i + " " + ShapeText(t) + " differs from output " + ShapeText(output) + " in dimension " + d);
                axisTotal += TensorDim(t, axis);
            }
            if (axisTotal != TensorDim(output, axis))
                throw Op(op, -1, "inputs add up to " + axisTotal + " along axis " + axis + ", output has " + TensorDim(output, axis));
            ConcatenationParams s = new ConcatenationParams();
            s.Axis = axis;
            s.InputCount = count;
            s.OuterSize = (int)outer;
            s.CopyBytes = new int[count];
            for (int i = 0; i < count; i++)
                s.CopyBytes[i] = (int)(TensorDim(OperatorInput(op, i), axis) * inner * esize);
            return s;
        }

        HardSwishParams PrepareHardSwish(int op, int p)
        {
            HardSwishParams s = new HardSwishParams();
            s.Size = RequireElementwise(op);
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

        MeanParams PrepareMean(int op, int p)
        {
            int input = OperatorInput(op, 0), output = OperatorOutput(op);
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
            int rank = TensorRank(input), outRank = TensorRank(output);
            if (mask < 0 || (rank < 31 && (mask >> rank) != 0))
                throw Op(op, p + 16, "axis mask 0x" + mask.ToString("X") + " names dimensions beyond the input's rank " + rank);
            int kept = 0;
            for (int d = 0; d < rank; d++) if ((mask & (1 << d)) == 0) kept++;
            s.KeptExtents = new int[kept];
            s.KeptStrides = new int[kept];
            s.ReducedExtents = new int[rank - kept];
            s.ReducedStrides = new int[rank - kept];
            // keep_dims true gives the input shape with reduced dimensions set to 1, false removes them.
            bool keepDims = outRank == rank && rank != kept;
            bool shapeOk = outRank == (keepDims ? rank : kept);
            int stride = 1, ki = kept, ri = rank - kept, oi = outRank;
            long outputCount = 1, reducedCount = 1;
            for (int d = rank - 1; d >= 0; d--)
            {
                int extent = TensorDim(input, d);
                if ((mask & (1 << d)) == 0)
                {
                    ki--;
                    s.KeptExtents[ki] = extent;
                    s.KeptStrides[ki] = stride;
                    outputCount *= extent;
                    oi--;
                    if (shapeOk && TensorDim(output, oi) != extent) shapeOk = false;
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
                        if (TensorDim(output, oi) != 1) shapeOk = false;
                    }
                }
                stride *= extent;
            }
            if (!shapeOk || outputCount != TensorElements(output))
                throw Op(op, -1, "output " + ShapeText(output) + " is not input " + ShapeText(input) + " reduced over axis mask 0x" + mask.ToString("X"));
            s.OutputCount = (int)outputCount;
            s.ReducedCount = (int)reducedCount;
            return s;
        }

        // ---------------------------------------------------------------- format 1.3 data movement

        /// <summary>Rank of the shapes STRIDED_SLICE and TRANSPOSE words describe (tensors are extended with leading 1s).</summary>
        const int MoveRank = 5;

        /// <summary>Input strides (elements) of tensor t's shape extended to 5-D.</summary>
        int[] ExtendedStrides(int t)
        {
            int[] st = new int[MoveRank];
            int stride = 1;
            for (int d = MoveRank - 1; d >= 0; d--)
            {
                st[d] = stride;
                stride *= ExtendedDim(t, MoveRank, d);
            }
            return st;
        }

        StridedSliceParams PrepareStridedSlice(int op, int p)
        {
            int input = OperatorInput(op, 0), output = OperatorOutput(op);
            RequireType(op, output, TensorType(input), -1, "output");
            if (TensorRank(input) > MoveRank)
                throw Op(op, -1, "STRIDED_SLICE supports up to 5 dimensions, input has " + TensorRank(input));
            StridedSliceParams s = new StridedSliceParams();
            s.ElementSize = DataType.Size(TensorType(input));
            s.Start = new int[MoveRank];
            s.Count = new int[MoveRank];
            s.Step = new int[MoveRank];
            long total = 1;
            for (int d = 0; d < MoveRank; d++)
            {
                int start = Word(p, d), count = Word(p, MoveRank + d), step = Word(p, 2 * MoveRank + d);
                int extent = ExtendedDim(input, MoveRank, d);
                long last = start + (long)(count - 1) * step;
                // Every index the kernel reads along this axis lies in [0, extent).
                if (count < 1 || step == 0 || start < 0 || start >= extent || last < 0 || last >= extent)
                    throw Op(op, p + 4 * d, "axis " + d + " (of 5): start " + start + ", count " + count + ", step " + step
                        + " leave the input extent " + extent);
                s.Start[d] = start;
                s.Count[d] = count;
                // A single index never steps; 1 keeps the kernel's byte strides small (and its inner copy contiguous).
                s.Step[d] = count == 1 ? 1 : step;
                total *= count;
            }
            if (total != TensorElements(output))
                throw Op(op, -1, "the slice has " + total + " elements, output " + ShapeText(output) + " has " + TensorElements(output));
            s.InputStrides = ExtendedStrides(input);
            return s;
        }

        TransposeParams PrepareTranspose(int op, int p)
        {
            int input = OperatorInput(op, 0), output = OperatorOutput(op);
            RequireType(op, output, TensorType(input), -1, "output");
            if (TensorRank(input) > MoveRank || TensorRank(output) > MoveRank)
                throw Op(op, -1, "TRANSPOSE supports up to 5 dimensions, input has " + TensorRank(input));
            int[] inStrides = ExtendedStrides(input);
            TransposeParams s = new TransposeParams();
            s.ElementSize = DataType.Size(TensorType(input));
            s.OutputShape = Extend(output, MoveRank);
            s.InputStrides = new int[MoveRank];
            int seen = 0;
            for (int k = 0; k < MoveRank; k++)
            {
                int from = Word(p, k);
                if (!InRange(from, 0, MoveRank - 1) || (seen & (1 << from)) != 0)
                    throw Op(op, p + 4 * k, "perm word " + k + " is " + from + ": the 5 words must be a permutation of 0..4");
                seen |= 1 << from;
                if (s.OutputShape[k] != ExtendedDim(input, MoveRank, from))
                    throw Op(op, p + 4 * k, "output " + ShapeText(output) + " is not input " + ShapeText(input) + " permuted (5-D dimension " + k
                        + " should be input dimension " + from + ")");
                s.InputStrides[k] = inStrides[from];
            }
            return s;
        }

        /// <summary>Tensor t's shape with leading 1s added up to <paramref name="rank"/> dimensions (a new array).</summary>
        int[] Extend(int t, int rank)
        {
            int[] r = new int[rank];
            for (int d = 0; d < rank; d++) r[d] = ExtendedDim(t, rank, d);
            return r;
        }

        // ---------------------------------------------------------------- format 1.3 operators

        /// <summary>
        /// SVDF (TFLM PrepareSvdf, integer path): input [B, I] int8, weights_feature [F, I] int8,
        /// weights_time [F, M] and state [B, F * M] both int16 or both int8, optional int32 bias
        /// [F / rank], output [B, F / rank] int8. The state is read and written in place, so it
        /// must be an arena tensor.
        /// </summary>
        SvdfParams PrepareSvdf(int op, int p)
        {
            int input = OperatorInput(op, 0), wf = OperatorInput(op, 1), wt = OperatorInput(op, 2);
            int bias = OperatorInput(op, 3), state = OperatorInput(op, 4), output = OperatorOutput(op);
            RequireType(op, input, DataType.Int8, 2, "input");
            RequireType(op, wf, DataType.Int8, 2, "weights_feature");
            int stateType = TensorType(state);
            if (stateType != DataType.Int16 && stateType != DataType.Int8)
                throw Op(op, -1, "state tensor " + state + " is " + DataType.Name(stateType) + ", expected int16 or int8");
            RequireType(op, state, stateType, 2, "state");
            RequireType(op, wt, stateType, 2, "weights_time (same type as the state)");
            RequireType(op, output, DataType.Int8, 2, "output");
            if (!TensorIsVariable(state)) throw Op(op, -1, "state tensor " + state + " is not a variable tensor (state must keep its own arena bytes)");
            SvdfParams s = new SvdfParams();
            s.Rank = Word(p, 0);
            s.InputOffset = Word(p, 1);
            s.StateZeroPoint = Word(p, 2);
            s.OutputOffset = Word(p, 3);
            s.Multiplier1 = Word(p, 4);
            s.Shift1 = Word(p, 5);
            s.Multiplier2 = Word(p, 6);
            s.Shift2 = Word(p, 7);
            s.StateIsInt16 = stateType == DataType.Int16;
            s.Batches = TensorDim(input, 0);
            s.InputSize = TensorDim(input, 1);
            s.Filters = TensorDim(wf, 0);
            s.Memory = TensorDim(wt, 1);
            if (s.Rank < 1 || s.Filters % s.Rank != 0)
                throw Op(op, p, "rank " + s.Rank + " does not divide the " + s.Filters + " filters of weights_feature " + ShapeText(wf));
            s.Units = s.Filters / s.Rank;
            if (TensorDim(wf, 1) != s.InputSize)
                throw Op(op, -1, "weights_feature " + ShapeText(wf) + " does not match input " + ShapeText(input));
            if (TensorDim(wt, 0) != s.Filters)
                throw Op(op, -1, "weights_time " + ShapeText(wt) + " does not have the " + s.Filters + " filters of weights_feature " + ShapeText(wf));
            if (TensorDim(state, 0) != s.Batches || (long)TensorDim(state, 1) != (long)s.Filters * s.Memory)
                throw Op(op, -1, "state " + ShapeText(state) + " is not [" + s.Batches + "," + ((long)s.Filters * s.Memory) + "] (batches, filters x memory)");
            if (TensorDim(output, 0) != s.Batches || TensorDim(output, 1) != s.Units)
                throw Op(op, -1, "output " + ShapeText(output) + " is not [" + s.Batches + "," + s.Units + "] (batches, filters / rank)");
            RequireBias(op, bias, s.Units);
            int zpMin = s.StateIsInt16 ? -32768 : -128, zpMax = s.StateIsInt16 ? 32767 : 127;
            if (!InRange(s.InputOffset, -127, 128) || !InRange(s.StateZeroPoint, zpMin, zpMax) || !InRange(s.OutputOffset, -128, 127))
                throw Op(op, p + 4, "zero points out of range (input offset " + s.InputOffset + ", state zero point " + s.StateZeroPoint
                    + ", output zero point " + s.OutputOffset + ")");
            RequireMultiplier(op, s.Multiplier1, s.Shift1, p + 16, "feature (effective scale 1)");
            RequireMultiplier(op, s.Multiplier2, s.Shift2, p + 24, "time (effective scale 2)");
            return s;
        }
    }
}
