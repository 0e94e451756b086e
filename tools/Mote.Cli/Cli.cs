using System.IO;

namespace Mote.Cli
{
    public static class Cli
    {
        public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
        {
            stderr.WriteLine("mote: not implemented yet");
            return 2;
        }
    }
}
