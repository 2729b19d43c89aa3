{
  "targets": [
    {
      "target_name": "portcullis_native",
      "sources": ["native/src/addon.cc", "native/src/jwt_core.cc", "native/src/claim_scan.cc", "native/src/token_check.cc", "native/src/memory_tuning.cc", "native/src/shared_listen.cc", "native/src/peer_addresses.cc", "native/src/uws_peer_hook.cc", "native/src/first_request.cc", "native/src/listen_queue.cc", "native/src/quiet_stdout.cc", "native/src/uws_mark.cc", "native/src/loop_data.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native/src"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "OPENSSL_SUPPRESS_DEPRECATED"
      ],
      "cflags": [
        "-O2",
        "-fstack-protector-strong",
        "-U_FORTIFY_SOURCE",
        "-D_FORTIFY_SOURCE=2",
        "-Wall",
        "-Wextra",
        "-Wformat=2",
        "-fvisibility=hidden"
      ],
      "cflags_cc": ["-std=c++17", "-fno-exceptions", "-fno-rtti"],
      "ldflags": ["-Wl,-z,relro", "-Wl,-z,now", "-Wl,-z,noexecstack"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "NO",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "11.0",
        "OTHER_CFLAGS": ["-O2", "-fstack-protector-strong", "-Wall", "-Wextra", "-fvisibility=hidden"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "ExceptionHandling": 0, "AdditionalOptions": ["/std:c++17", "/guard:cf", "/sdl"] }
      }
    }
  ]
}
