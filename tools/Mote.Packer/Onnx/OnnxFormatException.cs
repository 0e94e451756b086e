using System;

namespace Mote.Packer.Onnx
{
    /// <summary>
    /// An .onnx file cannot be read: it is not a protobuf ModelProto, a tensor's data does not match its shape and
    /// type, a name is duplicated, data lives in an external file, an attribute has another type than asked for, and
    /// so on. The message starts with the file name and then says where, e.g.
    /// <c>mnist.onnx: node 3 'conv1' (Conv), attribute 'pads': is FLOATS, expected INTS</c> or
    /// <c>mnist.onnx: initializer 'fc.weight': raw_data holds 1000 bytes, expected 4000 (FLOAT [10, 100])</c>.
    /// </summary>
    public sealed class OnnxFormatException : Exception
    {
        /// <summary>The file name given to the reader (for messages only); "" when none was given.</summary>
        public string File { get; }

        /// <summary>The problem alone, without the file name.</summary>
        public string Detail { get; }

        public OnnxFormatException(string file, string message, Exception inner = null)
            : base((string.IsNullOrEmpty(file) ? "<model>" : file) + ": " + message, inner)
        {
            File = file ?? "";
            Detail = message ?? "";
        }
    }
}
