;; Separable symmetric convolution (the Gaussian blur of SIFT's scale space) with 128-bit SIMD.
;; Built by build-blur-wasm.sh (wat2wasm from Debian's wabt) into blur-wasm.ts; JS fallback in sift.ts.
;; All pointers are byte offsets into the exported memory. Images are f32, rows of w values.
;; kern: r + 1 taps (centre first), each stored 4 times (16 bytes) so one v128.load is a splat.
;; Borders are reflect-101 (OpenCV's default), as in sift.ts.
(module
  (memory (export "memory") 1)

  ;; OpenCV's BORDER_REFLECT_101 index mapping.
  (func $reflect (param $p i32) (param $len i32) (result i32)
    (if (i32.eq (local.get $len) (i32.const 1)) (then (return (i32.const 0))))
    (block $done
      (loop $again
        (br_if $done (i32.and (i32.ge_s (local.get $p) (i32.const 0)) (i32.lt_s (local.get $p) (local.get $len))))
        (if (i32.lt_s (local.get $p) (i32.const 0))
          (then (local.set $p (i32.sub (i32.const 0) (local.get $p))))
          (else (local.set $p (i32.sub (i32.sub (i32.mul (i32.const 2) (local.get $len)) (i32.const 2)) (local.get $p)))))
        (br $again)))
    (local.get $p))

  ;; dst row y = Σ_j k_j (src[y][x - j] + src[y][x + j]), through a reflect-padded copy of the row at $pad.
  (func (export "hpass") (param $src i32) (param $dst i32) (param $w i32) (param $h i32) (param $kern i32) (param $r i32) (param $pad i32)
    (local $y i32) (local $row i32) (local $j i32) (local $x i32) (local $p i32) (local $q i32)
    (local $acc v128) (local $s f32) (local $out i32) (local $wb i32)
    (local.set $wb (i32.shl (local.get $w) (i32.const 2)))
    (local.set $y (i32.const 0))
    (block $yend
      (loop $yloop
        (br_if $yend (i32.ge_s (local.get $y) (local.get $h)))
        (local.set $row (i32.add (local.get $src) (i32.mul (local.get $y) (local.get $wb))))
        (local.set $out (i32.add (local.get $dst) (i32.mul (local.get $y) (local.get $wb))))
        ;; pad[0..r) and pad[r+w..r+w+r): reflected; pad[r..r+w): the row.
        (local.set $j (i32.const 0))
        (block $jend
          (loop $jloop
            (br_if $jend (i32.ge_s (local.get $j) (local.get $r)))
            (f32.store
              (i32.add (local.get $pad) (i32.shl (local.get $j) (i32.const 2)))
              (f32.load (i32.add (local.get $row)
                (i32.shl (call $reflect (i32.sub (local.get $j) (local.get $r)) (local.get $w)) (i32.const 2)))))
            (f32.store
              (i32.add (local.get $pad) (i32.shl (i32.add (i32.add (local.get $r) (local.get $w)) (local.get $j)) (i32.const 2)))
              (f32.load (i32.add (local.get $row)
                (i32.shl (call $reflect (i32.add (local.get $w) (local.get $j)) (local.get $w)) (i32.const 2)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $jloop)))
        (memory.copy (i32.add (local.get $pad) (i32.shl (local.get $r) (i32.const 2))) (local.get $row) (local.get $wb))
        ;; Four outputs at a time.
        (local.set $x (i32.const 0))
        (block $xend
          (loop $xloop
            (br_if $xend (i32.gt_s (i32.add (local.get $x) (i32.const 4)) (local.get $w)))
            (local.set $p (i32.add (local.get $pad) (i32.shl (i32.add (local.get $x) (local.get $r)) (i32.const 2))))
            (local.set $acc (f32x4.mul (v128.load (local.get $kern)) (v128.load (local.get $p))))
            (local.set $j (i32.const 1))
            (block $tend
              (loop $tloop
                (br_if $tend (i32.gt_s (local.get $j) (local.get $r)))
                (local.set $q (i32.shl (local.get $j) (i32.const 2)))
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.mul (v128.load (i32.add (local.get $kern) (i32.shl (local.get $j) (i32.const 4))))
                    (f32x4.add (v128.load (i32.sub (local.get $p) (local.get $q))) (v128.load (i32.add (local.get $p) (local.get $q)))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $tloop)))
            (v128.store (i32.add (local.get $out) (i32.shl (local.get $x) (i32.const 2))) (local.get $acc))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (br $xloop)))
        ;; The last w mod 4 outputs, one at a time.
        (block $rend
          (loop $rloop
            (br_if $rend (i32.ge_s (local.get $x) (local.get $w)))
            (local.set $p (i32.add (local.get $pad) (i32.shl (i32.add (local.get $x) (local.get $r)) (i32.const 2))))
            (local.set $s (f32.mul (f32.load (local.get $kern)) (f32.load (local.get $p))))
            (local.set $j (i32.const 1))
            (block $t2end
              (loop $t2loop
                (br_if $t2end (i32.gt_s (local.get $j) (local.get $r)))
                (local.set $q (i32.shl (local.get $j) (i32.const 2)))
                (local.set $s (f32.add (local.get $s)
                  (f32.mul (f32.load (i32.add (local.get $kern) (i32.shl (local.get $j) (i32.const 4))))
                    (f32.add (f32.load (i32.sub (local.get $p) (local.get $q))) (f32.load (i32.add (local.get $p) (local.get $q)))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $t2loop)))
            (f32.store (i32.add (local.get $out) (i32.shl (local.get $x) (i32.const 2))) (local.get $s))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $rloop)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $yloop))))

  ;; dst row y = Σ_j k_j (src row y-j + src row y+j), rows reflected at the borders; $tab: scratch for 2(r+1) row pointers.
  (func (export "vpass") (param $src i32) (param $dst i32) (param $w i32) (param $h i32) (param $kern i32) (param $r i32) (param $tab i32)
    (local $y i32) (local $j i32) (local $x i32) (local $c i32) (local $out i32) (local $wb i32) (local $t i32)
    (local $acc v128) (local $s f32)
    (local.set $wb (i32.shl (local.get $w) (i32.const 2)))
    (local.set $y (i32.const 0))
    (block $yend
      (loop $yloop
        (br_if $yend (i32.ge_s (local.get $y) (local.get $h)))
        (local.set $j (i32.const 1))
        (block $jend
          (loop $jloop
            (br_if $jend (i32.gt_s (local.get $j) (local.get $r)))
            (i32.store (i32.add (local.get $tab) (i32.shl (local.get $j) (i32.const 3)))
              (i32.add (local.get $src) (i32.mul (call $reflect (i32.sub (local.get $y) (local.get $j)) (local.get $h)) (local.get $wb))))
            (i32.store (i32.add (local.get $tab) (i32.add (i32.shl (local.get $j) (i32.const 3)) (i32.const 4)))
              (i32.add (local.get $src) (i32.mul (call $reflect (i32.add (local.get $y) (local.get $j)) (local.get $h)) (local.get $wb))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $jloop)))
        (local.set $c (i32.add (local.get $src) (i32.mul (local.get $y) (local.get $wb))))
        (local.set $out (i32.add (local.get $dst) (i32.mul (local.get $y) (local.get $wb))))
        (local.set $x (i32.const 0))
        (block $xend
          (loop $xloop
            (br_if $xend (i32.gt_s (i32.add (local.get $x) (i32.const 16)) (local.get $wb)))
            (local.set $acc (f32x4.mul (v128.load (local.get $kern)) (v128.load (i32.add (local.get $c) (local.get $x)))))
            (local.set $j (i32.const 1))
            (block $tend
              (loop $tloop
                (br_if $tend (i32.gt_s (local.get $j) (local.get $r)))
                (local.set $t (i32.add (local.get $tab) (i32.shl (local.get $j) (i32.const 3))))
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.mul (v128.load (i32.add (local.get $kern) (i32.shl (local.get $j) (i32.const 4))))
                    (f32x4.add
                      (v128.load (i32.add (i32.load (local.get $t)) (local.get $x)))
                      (v128.load (i32.add (i32.load offset=4 (local.get $t)) (local.get $x)))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $tloop)))
            (v128.store (i32.add (local.get $out) (local.get $x)) (local.get $acc))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (br $xloop)))
        (block $rend
          (loop $rloop
            (br_if $rend (i32.ge_s (local.get $x) (local.get $wb)))
            (local.set $s (f32.mul (f32.load (local.get $kern)) (f32.load (i32.add (local.get $c) (local.get $x)))))
            (local.set $j (i32.const 1))
            (block $t2end
              (loop $t2loop
                (br_if $t2end (i32.gt_s (local.get $j) (local.get $r)))
                (local.set $t (i32.add (local.get $tab) (i32.shl (local.get $j) (i32.const 3))))
                (local.set $s (f32.add (local.get $s)
                  (f32.mul (f32.load (i32.add (local.get $kern) (i32.shl (local.get $j) (i32.const 4))))
                    (f32.add
                      (f32.load (i32.add (i32.load (local.get $t)) (local.get $x)))
                      (f32.load (i32.add (i32.load offset=4 (local.get $t)) (local.get $x)))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $t2loop)))
            (f32.store (i32.add (local.get $out) (local.get $x)) (local.get $s))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (br $rloop)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $yloop))))

  ;; out = a − b over n floats (the difference of Gaussians).
  (func (export "sub") (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $i i32) (local $nb i32)
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $end
      (loop $l
        (br_if $end (i32.gt_s (i32.add (local.get $i) (i32.const 16)) (local.get $nb)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.sub (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l)))
    (block $end2
      (loop $l2
        (br_if $end2 (i32.ge_s (local.get $i) (local.get $nb)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.sub (f32.load (i32.add (local.get $a) (local.get $i))) (f32.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l2)))))
