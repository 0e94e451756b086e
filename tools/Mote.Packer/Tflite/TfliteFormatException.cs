using System;
using System.Globalization;

namespace Mote.Packer.Tflite
{
    /// <summary>
    /// A .tflite file is not a well-formed TensorFlow Lite flatbuffer: an offset or length points outside the file,
    /// a table is malformed, an index refers to something that does not exist, and so on.
    /// The message names the file, the byte offset (hex) and the schema path of the offending item, e.g.
    /// <c>person.tflite: offset 0x1A2C (subgraphs[0].tensors[12].shape): vector length 4294967 exceeds the 1024 bytes left in the file</c>.
    /// </summary>
    public sealed class TfliteFormatException : Exception
    {
        /// <summary>Byte offset in the file of the value found to be wrong, or -1 if not known.</summary>
        public long Offset { get; }

        /// <summary>Schema path of the offending item, e.g. <c>subgraphs[0].operators[3].inputs</c>; empty for the file as a whole.</summary>
        public string Path { get; }

        /// <summary>The file name given to the parser (for messages only).</summary>
        public string FileName { get; }

        /// <summary>The problem alone, without file name, offset and path.</summary>
        public string Detail { get; }

        public TfliteFormatException(string fileName, long offset, string path, string detail)
            : base(Format(fileName, offset, path, detail))
        {
            FileName = fileName ?? "";
            Offset = offset;
            Path = path ?? "";
            Detail = detail ?? "";
        }

        public TfliteFormatException(string fileName, long offset, string path, string detail, Exception inner)
            : base(Format(fileName, offset, path, detail), inner)
        {
            FileName = fileName ?? "";
            Offset = offset;
            Path = path ?? "";
            Detail = detail ?? "";
        }

        static string Format(string fileName, long offset, string path, string detail)
        {
            string name = string.IsNullOrEmpty(fileName) ? "<model>" : fileName;
            string where = offset >= 0 ? "offset 0x" + offset.ToString("X", CultureInfo.InvariantCulture) : "";
            if (!string.IsNullOrEmpty(path))
                where = where.Length == 0 ? "(" + path + ")" : where + " (" + path + ")";
            return where.Length == 0 ? name + ": " + detail : name + ": " + where + ": " + detail;
        }
    }
}
