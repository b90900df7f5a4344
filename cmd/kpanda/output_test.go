package main

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
)

func TestQuantityColumns(t *testing.T) {
	tests := []struct {
		quantity, wantCPU, wantMemory string
	}{
		{"16374584Ki", "16767574016", "15.6Gi"},
		{"16Gi", "17179869184", "16Gi"},
		{"1536Mi", "1610612736", "1.5Gi"},
		{"512", "512", "512"},
		{"7500m", "7.5", "8"}, // memory in millibytes is rounded up to whole bytes
		{"250m", "0.25", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.quantity, func(t *testing.T) {
			list := map[string]resource.Quantity{"q": resource.MustParse(tt.quantity)}
			if got := formatCPU(list, "q"); got != tt.wantCPU {
				t.Errorf("formatCPU(%s) = %q, want %q", tt.quantity, got, tt.wantCPU)
			}
			if got := formatMemory(list, "q"); got != tt.wantMemory {
				t.Errorf("formatMemory(%s) = %q, want %q", tt.quantity, got, tt.wantMemory)
			}
		})
	}
	if got := formatCPU(nil, "cpu"); got != "-" {
		t.Errorf("formatCPU of an absent quantity = %q, want -", got)
	}
}

func TestAge(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := age(time.Time{}, now); got != "-" {
		t.Errorf("age of a zero time = %q, want -", got)
	}
	if got := age(now.Add(-49*time.Hour), now); got != "2d1h" {
		t.Errorf("age of 49h = %q, want 2d1h", got)
	}
}
