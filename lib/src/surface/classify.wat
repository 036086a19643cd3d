;; Marching cubes classification with WebAssembly SIMD: one bit per voxel, value > level.
;; classify(src, nx, ny, level, dst, W): for each row j < ny and word w < W, bit b of the i32 at
;; dst + 4 (j W + w) is set when the f32 at src + 4 (j nx + 32 w + b) is > level (NaN: not set).
;; Full words use eight f32x4 compares and i32x4.bitmask; the row's last partial word is scalar.
;; Build: lib/src/surface/build-classify-wasm.sh (wabt's wat2wasm); the bytes are committed.
(module
  (memory (export "memory") 1)
  (func (export "classify") (param $src i32) (param $nx i32) (param $ny i32) (param $level f32) (param $dst i32) (param $W i32)
    (local $j i32) (local $w i32) (local $p i32) (local $word i32) (local $b i32) (local $n i32) (local $lv v128) (local $out i32)
    (local.set $lv (f32x4.splat (local.get $level)))
    (local.set $out (local.get $dst))
    (local.set $j (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $j) (local.get $ny)))
        (local.set $p (i32.add (local.get $src) (i32.shl (i32.mul (local.get $j) (local.get $nx)) (i32.const 2))))
        (local.set $w (i32.const 0))
        (block $words_done
          (loop $words
            (br_if $words_done (i32.ge_u (local.get $w) (local.get $W)))
            (local.set $n (i32.sub (local.get $nx) (i32.shl (local.get $w) (i32.const 5))))
            (if (i32.ge_s (local.get $n) (i32.const 32))
              (then
                (local.set $word
                  (i32.or
                    (i32.or
                      (i32.or
                        (i32x4.bitmask (f32x4.gt (v128.load offset=0 align=4 (local.get $p)) (local.get $lv)))
                        (i32.shl (i32x4.bitmask (f32x4.gt (v128.load offset=16 align=4 (local.get $p)) (local.get $lv))) (i32.const 4)))
                      (i32.or
                        (i32.shl (i32x4.bitmask (f32x4.gt (v128.load offset=32 align=4 (local.get $p)) (local.get $lv))) (i32.const 8))
                        (i32.shl (i32x4.bitmask (f32x4.gt (v128.load offset=48 align=4 (local.get $p)) (local.get $lv))) (i32.const 12))))
                    (i32.or
                      (i32.or
                        (i32.shl (i32x4.bitmask (f32x4.gt (v128.load offset=64 align=4 (local.get $p)) (local.get $lv))) (i32.const 16))
                        (i32.shl (i32x4.bitmask (f32x4.gt (v128.load offset=80 align=4 (local.get $p)) (local.get $lv))) (i32.const 20)))
                      (i32.or
                        (i32.shl (i32x4.bitmask (f32x4.gt (v128.load offset=96 align=4 (local.get $p)) (local.get $lv))) (i32.const 24))
                        (i32.shl (i32x4.bitmask (f32x4.gt (v128.load offset=112 align=4 (local.get $p)) (local.get $lv))) (i32.const 28))))))
                (local.set $p (i32.add (local.get $p) (i32.const 128))))
              (else
                (local.set $word (i32.const 0))
                (local.set $b (i32.const 0))
                (block $bits_done
                  (loop $bits
                    (br_if $bits_done (i32.ge_s (local.get $b) (local.get $n)))
                    (if (f32.gt (f32.load (local.get $p)) (local.get $level))
                      (then (local.set $word (i32.or (local.get $word) (i32.shl (i32.const 1) (local.get $b))))))
                    (local.set $p (i32.add (local.get $p) (i32.const 4)))
                    (local.set $b (i32.add (local.get $b) (i32.const 1)))
                    (br $bits)))))
            (i32.store (local.get $out) (local.get $word))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $w (i32.add (local.get $w) (i32.const 1)))
            (br $words)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rows)))))
